//! Jupyter notebooks: the code cells of an `.ipynb` file as one Python text, with a map back to cells.

use serde_json::Value;

/// The code cells of a notebook joined into one text, each cell starting on a fresh line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notebook {
    pub source: String,
    /// For each code cell: its 1-based number among all cells and the 0-based line where it starts
    /// in `source`.
    pub cells: Vec<CellStart>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellStart {
    pub cell: usize,
    pub line: usize,
}

impl Notebook {
    /// Parses notebook JSON. `None` when the text is not a notebook or its kernel is not Python.
    pub fn parse(json: &str) -> Option<Notebook> {
        let value: Value = serde_json::from_str(json).ok()?;
        let kernel_language = value
            .pointer("/metadata/kernelspec/language")
            .or_else(|| value.pointer("/metadata/language_info/name"))
            .and_then(Value::as_str);
        if kernel_language.is_some_and(|language| !language.eq_ignore_ascii_case("python")) {
            return None;
        }
        let mut source = String::new();
        let mut cells = Vec::new();
        let mut line = 0;
        for (number, cell) in value.get("cells")?.as_array()?.iter().enumerate() {
            if cell.get("cell_type").and_then(Value::as_str) != Some("code") {
                continue;
            }
            let text = match cell.get("source") {
                Some(Value::String(text)) => text.clone(),
                Some(Value::Array(parts)) => parts.iter().filter_map(Value::as_str).collect(),
                _ => String::new(),
            };
            cells.push(CellStart { cell: number + 1, line });
            for raw in text.lines() {
                source.push_str(&neutralise_magic(raw));
                source.push('\n');
                line += 1;
            }
        }
        Some(Notebook { source, cells })
    }

    /// Maps a 0-based line of `source` to (cell number, 0-based line within the cell).
    pub fn locate(&self, line: usize) -> (usize, usize) {
        let slot = self.cells.partition_point(|cell| cell.line <= line).saturating_sub(1);
        self.cells.get(slot).map_or((0, line), |cell| (cell.cell, line - cell.line))
    }
}

/// `IPython` magics (`%pip`, `!ls`) are not Python; turn them into comments of the same length so the
/// rest of the cell still parses and columns stay put.
fn neutralise_magic(line: &str) -> String {
    let trimmed = line.trim_start();
    if trimmed.starts_with('%') || trimmed.starts_with('!') {
        let indent = line.len() - trimmed.len();
        format!("{}#{}", &line[..indent], &trimmed[1..])
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_code_cells_and_maps_lines_back() {
        let json = r##"{"cells":[
            {"cell_type":"markdown","source":["# title"]},
            {"cell_type":"code","source":["import os\n","!ls\n"]},
            {"cell_type":"code","source":"eval(x)"}],
            "metadata":{"kernelspec":{"language":"python"}}}"##;
        let notebook = Notebook::parse(json).unwrap();
        assert_eq!(notebook.source, "import os\n#ls\neval(x)\n");
        assert_eq!(notebook.locate(2), (3, 0));
        assert_eq!(notebook.locate(1), (2, 1));
    }

    #[test]
    fn rejects_other_kernels_and_non_notebooks() {
        assert!(Notebook::parse(r#"{"cells":[],"metadata":{"kernelspec":{"language":"R"}}}"#).is_none());
        assert!(Notebook::parse("not json").is_none());
    }
}
