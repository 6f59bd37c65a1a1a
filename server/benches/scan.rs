//! Pattern-engine benchmarks: a 10k-line Python file and a 10k-line JavaScript file, scanned from text
//! (parse included), scanned with an already-parsed tree (the language server's case), and parsed only
//! (the floor). Run with `cargo bench --bench scan`; figures go to BENCHMARKS.md.

use sg_lsp::language::Language;
use sg_lsp::rules::RuleSet;
use sg_lsp::scan::{ScanOptions, parse, scan, scan_with};

fn main() {
    // `SG_BENCH_WRITE_INPUTS=DIR cargo bench --bench scan` writes the two 10k-line files to DIR instead,
    // for the diagnostic examples (`scan_files`, `scan_phases`, callgrind, perf).
    if let Some(dir) = std::env::var_os("SG_BENCH_WRITE_INPUTS") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("input dir");
        std::fs::write(dir.join("python-10k.py"), python_10k()).expect("write");
        std::fs::write(dir.join("javascript-10k.js"), js_10k()).expect("write");
        return;
    }
    RuleSet::builtin().warm();
    divan::main();
}

const PYTHON_BLOCK: &str = r#"
class Handler{n}:
    """Serve requests for resource {n}; eval() in a docstring is not flagged."""

    def __init__(self, db, cache):
        self.db = db
        self.cache = cache

    def get(self, request, item_id):
        # comments mention pickle.loads(data) and os.system(cmd) harmlessly
        row = self.db.execute("SELECT * FROM items WHERE id = %s", (item_id,))
        if row is None:
            return {"error": "not found", "id": item_id}
        data = json.loads(row["payload"])
        for key, value in sorted(data.items()):
            if isinstance(value, str) and value.startswith("="):
                data[key] = value[1:].strip()
        self.cache.set(f"item:{item_id}", data, timeout=300)
        return data

    def render(self, request):
        template = self.env.get_template("item.html")
        return template.render(items=self.db.all(), user=request.user)

    def legacy(self, request):
        expr = request.args.get("expr")
        return eval(expr)

    def total(self, rows):
        return sum(r["price"] * r["qty"] for r in rows if r.get("active"))
"#;

const JS_BLOCK: &str = r#"
export class Store{n} {
  constructor(db, cache) {
    this.db = db;
    this.cache = cache;
  }

  // exec(cmd) in a comment and "eval(x)" in a string are not flagged
  async get(req, res) {
    const id = Number(req.params.id);
    const row = await this.db.query('SELECT * FROM items WHERE id = $1', [id]);
    if (!row) {
      return res.status(404).json({ error: 'not found', id });
    }
    const pattern = /item-(\d+)/;
    const match = pattern.exec(row.slug);
    const data = JSON.parse(row.payload);
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string' && value.startsWith('=')) data[key] = value.slice(1).trim();
    }
    this.cache.set(`item:${id}`, data, { ttl: 300 });
    return res.json({ ...data, match: match && match[1] });
  }

  render(el, item) {
    el.textContent = item.title;
    el.innerHTML = item.description;
  }

  total(rows) {
    return rows.filter((r) => r.active).reduce((sum, r) => sum + r.price * r.qty, 0);
  }
}
"#;

/// Repeats a block with unique names until the text has at least `lines` lines.
fn corpus(block: &str, header: &str, lines: usize) -> String {
    let mut text = String::from(header);
    let mut n = 0;
    while text.lines().count() < lines {
        text.push_str(&block.replace("{n}", &n.to_string()));
        n += 1;
    }
    text
}

fn python_10k() -> String {
    corpus(PYTHON_BLOCK, "import json\nimport os\nimport pickle\n", 10_000)
}

fn js_10k() -> String {
    corpus(JS_BLOCK, "const { exec } = require('child_process');\n", 10_000)
}

#[divan::bench(args = ["python", "javascript"])]
fn scan_10k_lines_with_parse(bencher: divan::Bencher, language: &str) {
    let (language, text) = input(language);
    bencher.bench(|| scan(RuleSet::builtin(), language, divan::black_box(&text)));
}

#[divan::bench(args = ["python", "javascript"])]
fn scan_10k_lines_with_tree(bencher: divan::Bencher, language: &str) {
    let (language, text) = input(language);
    let tree = parse(language, &text, None).expect("parses");
    bencher.bench(|| {
        scan_with(RuleSet::builtin(), language, divan::black_box(&text), Some(&tree), ScanOptions::default())
    });
}

#[divan::bench(args = ["python", "javascript"])]
fn parse_10k_lines_only(bencher: divan::Bencher, language: &str) {
    let (language, text) = input(language);
    bencher.bench(|| parse(language, divan::black_box(&text), None));
}

#[divan::bench(args = ["python", "javascript"])]
fn scan_10k_lines_lean(bencher: divan::Bencher, language: &str) {
    let (language, text) = input(language);
    let options = ScanOptions { lean: true, ..ScanOptions::default() };
    bencher.bench(|| scan_with(RuleSet::builtin(), language, divan::black_box(&text), None, options));
}

fn input(language: &str) -> (Language, String) {
    match language {
        "python" => (Language::Python, python_10k()),
        _ => (Language::JavaScript, js_10k()),
    }
}
