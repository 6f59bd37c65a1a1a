//! Prices per model family (US dollars per million tokens) and the cost of one call's usage. Model
//! ids are matched by family after stripping provider decorations (`us.anthropic.`, `@20250929`,
//! `-v1:0`); unknown models have no price.

use super::wire::Usage;

/// Dollars per million tokens. Cache writes cost 1.25× input, cache reads 0.1× input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

impl Price {
    pub fn cache_write(self) -> f64 {
        self.input * 1.25
    }

    pub fn cache_read(self) -> f64 {
        self.input * 0.1
    }
}

/// `anthropic.claude-sonnet-4-5-20250929-v1:0`, `us.anthropic.…`, `claude-haiku-4-5@20251001` →
/// `claude-sonnet-4-5-20250929` / `claude-haiku-4-5`.
pub fn normalize(model: &str) -> String {
    let mut id = model.trim().to_ascii_lowercase();
    if let Some(at) = id.find('@') {
        id.truncate(at);
    }
    // Bedrock ARNs end with the model or profile id after the last '/'.
    if let Some(slash) = id.rfind('/') {
        id = id[slash + 1..].to_string();
    }
    if let Some(position) = id.find("anthropic.") {
        id = id[position + "anthropic.".len()..].to_string();
    }
    let version_suffix = id
        .rfind("-v")
        .filter(|v| id.len() > v + 2 && id[v + 2..].chars().all(|c| c.is_ascii_digit() || c == ':'));
    if let Some(v) = version_suffix {
        id.truncate(v);
    }
    id
}

/// Major and minor version after `family-` (`opus-4-7` → (4, 7); `opus-4-20250514` → (4, 0)); `None`
/// for the Claude 3 naming (`claude-3-opus-…`).
fn version_after(id: &str, family: &str) -> Option<(u32, u32)> {
    let rest = &id[id.find(&format!("{family}-"))? + family.len() + 1..];
    let mut parts = rest.split('-');
    let major = parts.next()?;
    if major.is_empty() || major.len() > 2 || !major.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let minor =
        parts.next().filter(|m| !m.is_empty() && m.len() <= 2 && m.chars().all(|c| c.is_ascii_digit()));
    Some((major.parse().ok()?, minor.and_then(|m| m.parse().ok()).unwrap_or(0)))
}

/// The price of a model, or `None` when the family is unknown.
pub fn price(model: &str) -> Option<Price> {
    let id = normalize(model);
    let p = |input, output| Some(Price { input, output });
    if id.contains("opus") {
        return match version_after(&id, "opus") {
            Some((major, minor)) if major > 4 || (major == 4 && minor >= 5) => p(5.0, 25.0),
            _ => p(15.0, 75.0),
        };
    }
    if id.contains("sonnet") {
        return p(3.0, 15.0);
    }
    if id.contains("haiku") {
        return match version_after(&id, "haiku") {
            Some((major, _)) if major >= 4 => p(1.0, 5.0),
            _ if id.contains("3-5-haiku") || id.contains("3.5-haiku") => p(0.8, 4.0),
            _ => p(0.25, 1.25),
        };
    }
    None
}

/// The cost in dollars of `usage` on `model`.
#[allow(clippy::cast_precision_loss)] // token counts are far below 2^52
pub fn cost_usd(model: &str, usage: &Usage) -> Option<f64> {
    let price = price(model)?;
    let dollars = usage.input_tokens as f64 * price.input
        + usage.output_tokens as f64 * price.output
        + usage.cache_creation_input_tokens as f64 * price.cache_write()
        + usage.cache_read_input_tokens as f64 * price.cache_read();
    Some(dollars / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_decorations() {
        let cases = [
            ("claude-opus-4-7", Some((5.0, 25.0))),
            ("claude-opus-4-5-20251101", Some((5.0, 25.0))),
            ("us.anthropic.claude-opus-4-6-v1:0", Some((5.0, 25.0))),
            ("claude-opus-4-1-20250805", Some((15.0, 75.0))),
            ("claude-opus-4-20250514", Some((15.0, 75.0))),
            ("claude-3-opus-20240229", Some((15.0, 75.0))),
            ("anthropic.claude-sonnet-4-5-20250929-v1:0", Some((3.0, 15.0))),
            ("claude-sonnet-4-5@20250929", Some((3.0, 15.0))),
            ("claude-haiku-4-5@20251001", Some((1.0, 5.0))),
            ("global.anthropic.claude-haiku-4-5-20251001-v1:0", Some((1.0, 5.0))),
            ("claude-3-5-haiku-20241022", Some((0.8, 4.0))),
            ("llama3.1:8b", None),
            ("gpt-4o", None),
        ];
        for (model, expected) in cases {
            assert_eq!(price(model).map(|p| (p.input, p.output)), expected, "{model}");
        }
        assert_eq!(normalize("us.anthropic.claude-opus-4-6-v1:0"), "claude-opus-4-6");
    }

    #[test]
    fn cost_counts_cache_writes_and_reads() {
        let usage = Usage {
            input_tokens: 1_000_000,
            output_tokens: 100_000,
            cache_creation_input_tokens: 1_000_000,
            cache_read_input_tokens: 1_000_000,
        };
        // Sonnet: 3 + 1.5 + 3.75 + 0.3.
        let cost = cost_usd("claude-sonnet-4-5", &usage).unwrap();
        assert!((cost - 8.55).abs() < 1e-9, "{cost}");
        assert_eq!(cost_usd("mystery", &usage), None);
    }
}
