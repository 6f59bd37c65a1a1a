//! Diagnostic: time to load the catalogue, build each language's prefilter set and compile its plan
//! (`cargo run --release --example catalogue_warmup`).
#![allow(clippy::print_stdout)]
use sg_lsp::language::Language;
use sg_lsp::rules::RuleSet;
use sg_lsp::scan::scan;
fn main() {
    let t = std::time::Instant::now();
    let rules = RuleSet::builtin();
    println!("load {:?} ({} rules)", t.elapsed(), rules.rules().len());
    for language in Language::ALL {
        let t = std::time::Instant::now();
        scan(rules, language, "nothing here\n");
        let set = t.elapsed();
        let t = std::time::Instant::now();
        scan(
            rules,
            language,
            "eval(x)\nrequire('child_process')\n${{ github.event.issue.title }} innerHTML pickle shell=True\n",
        );
        println!("{language:?} prefilter set {set:?}, first real scan {:?}", t.elapsed());
    }
}
