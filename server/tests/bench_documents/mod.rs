//! The 10k-line documents the language-server benchmarks edit (`tests/lsp_bench.rs` over stdio,
//! `examples/keystroke_phases.rs` in process), so both measure the same text.

use std::fmt::Write;

/// A document of about `lines` lines, and the (line, column) of identifiers where an edit keeps it valid.
pub fn python(lines: usize) -> (String, Vec<(usize, usize)>) {
    let mut text = String::from("import os\nimport subprocess\n\n");
    let mut targets = Vec::new();
    let mut k = 0;
    while text.lines().count() < lines {
        targets.push((text.lines().count() + 1, 4));
        let _ = write!(
            text,
            "def handler_{k}(request, data):\n    value_{k} = compute(data)\n    total = value_{k} + len(request.args)\n    if total > 10:\n        return render(total)\n"
        );
        if k % 50 == 0 {
            text.push_str(
                "    result = eval(request.args['q'])\n    subprocess.run(request.cmd, shell=True)\n",
            );
        }
        text.push_str("    return None\n\n");
        k += 1;
    }
    (text, targets)
}

pub fn javascript(lines: usize) -> (String, Vec<(usize, usize)>) {
    let mut text = String::from("const { exec } = require('child_process');\n\n");
    let mut targets = Vec::new();
    let mut k = 0;
    while text.lines().count() < lines {
        targets.push((text.lines().count() + 1, 8));
        let _ = write!(
            text,
            "function handler_{k}(req, res) {{\n  const value_{k} = compute(req.query);\n  if (value_{k} > 10) {{\n    res.send(String(value_{k}));\n  }}\n"
        );
        if k % 50 == 0 {
            text.push_str("  el.innerHTML = req.query.html;\n  exec(req.body.cmd);\n");
        }
        let _ = write!(text, "  return value_{k};\n}}\n\n");
        k += 1;
    }
    (text, targets)
}
