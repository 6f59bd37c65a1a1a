//! Routing and loop guards of the review layers: the Stop gate (fire cap, `stop_hook_active`; the
//! review itself is in `stop.rs`) and the commit review after a `git commit` / `gt create` /
//! `gt modify` Bash call.
//!
//! The commit review itself is in `commit.rs`.

use serde_json::Value;

use super::input::Payload;
use super::state::SessionData;
use super::{Context, Reply};

/// A fire older than this no longer counts towards the cap (the turn is over).
const FIRE_WINDOW: u64 = 120;

/// Why the Stop review does not run. The numbers are the original plugin's `skip_reason` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StopSkip {
    /// The model is already continuing because of a Stop hook (1).
    Active,
    /// `MAX_STOP_HOOK_FIRINGS` reviews already fired in this turn (2).
    FireCap,
    /// The review layer is off (`ENABLE_STOP_REVIEW=0` or `ENABLE_CODE_SECURITY_REVIEW=0`) (50).
    Disabled,
}

impl StopSkip {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StopSkip::Active => "stop_hook_active",
            StopSkip::FireCap => "fire_cap",
            StopSkip::Disabled => "stop_review_off",
        }
    }
}

/// The Stop gate: whether a review may fire now.
pub(crate) fn stop_gate(
    data: &SessionData,
    stop_hook_active: bool,
    max_fires: u32,
    now: u64,
) -> Result<(), StopSkip> {
    if stop_hook_active {
        return Err(StopSkip::Active);
    }
    let recent = now.saturating_sub(data.stop.last_fire) < FIRE_WINDOW;
    if max_fires > 0 && recent && data.stop.fires >= max_fires {
        return Err(StopSkip::FireCap);
    }
    Ok(())
}

/// Records that a review fired (it blocked the stop), for the cap.
pub(crate) fn record_fire(data: &mut SessionData, now: u64) {
    if now.saturating_sub(data.stop.last_fire) >= FIRE_WINDOW {
        data.stop.fires = 0;
    }
    data.stop.fires += 1;
    data.stop.last_fire = now;
}

/// Which reviewable command a Bash call ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CommitCommand {
    GitCommit,
    GtCreate,
    GtModify,
}

impl CommitCommand {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CommitCommand::GitCommit => "git_commit",
            CommitCommand::GtCreate => "gt_create",
            CommitCommand::GtModify => "gt_modify",
        }
    }
}

/// `PostToolUse` for Bash: route a commit to the commit review, once per `tool_use_id`.
pub(crate) fn bash(context: &Context, payload: &Payload) -> Reply {
    let mut reply = Reply::default();
    let command = payload.tool_input.get("command").and_then(Value::as_str).unwrap_or_default();
    let Some(kind) = commit_command(command) else {
        reply.fact("skip", "not_a_commit");
        return reply;
    };
    reply.fact("command", kind.as_str());
    if !context.switches.commit_review {
        reply.fact("skip", "commit_review_off");
        return reply;
    }
    if !succeeded(&payload.tool_response) {
        reply.fact("skip", "command_failed");
        return reply;
    }
    super::commit::review(context, payload, kind, &mut reply);
    reply
}

/// Whether the Bash call finished normally. The response has no exit code; an interrupted call or a
/// git error message means no commit was made.
fn succeeded(response: &Value) -> bool {
    if response.get("interrupted").and_then(Value::as_bool) == Some(true) {
        return false;
    }
    let stderr = response.get("stderr").and_then(Value::as_str).unwrap_or_default();
    !stderr.lines().any(|line| line.starts_with("fatal:") || line.starts_with("error:"))
}

/// The first reviewable command among the simple commands of a shell line (`&&`, `||`, `;`, `|`,
/// newlines), skipping `VAR=value` prefixes and git's global options (`-C dir`, `-c k=v`, ...).
pub(crate) fn commit_command(line: &str) -> Option<CommitCommand> {
    line.split(['\n', ';', '|', '&', '(', ')']).find_map(|simple| {
        let words = shell_words(simple);
        let mut words = words.iter().map(String::as_str).skip_while(|w| is_assignment(w)).peekable();
        let program = words.next()?;
        let program = program.rsplit('/').next().unwrap_or(program);
        match program {
            "git" => {
                while let Some(&word) = words.peek() {
                    match word {
                        "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" => {
                            words.next();
                            words.next();
                        }
                        w if w.starts_with('-') => {
                            words.next();
                        }
                        _ => break,
                    }
                }
                (words.next()? == "commit").then_some(CommitCommand::GitCommit)
            }
            "gt" => match words.next()? {
                "create" | "c" => Some(CommitCommand::GtCreate),
                "modify" | "m" => Some(CommitCommand::GtModify),
                _ => None,
            },
            _ => None,
        }
    })
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Splits on whitespace, honouring single and double quotes (enough to find the program and its
/// subcommand).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_commit_commands() {
        let cases = [
            ("git commit -m 'x'", Some(CommitCommand::GitCommit)),
            ("cd repo && git add . && git commit -am \"fix; things\"", Some(CommitCommand::GitCommit)),
            ("GIT_AUTHOR_NAME=x git -C sub -c user.email=a@b commit", Some(CommitCommand::GitCommit)),
            ("/usr/bin/git --no-pager commit --amend", Some(CommitCommand::GitCommit)),
            ("gt create -m msg", Some(CommitCommand::GtCreate)),
            ("gt modify -a", Some(CommitCommand::GtModify)),
            ("git status", None),
            ("echo git commit", None),
            ("git log --grep commit", None),
            ("gt submit", None),
            ("", None),
        ];
        for (line, expected) in cases {
            assert_eq!(commit_command(line), expected, "{line}");
        }
    }

    #[test]
    fn the_stop_gate_guards_loops() {
        let mut data = SessionData::default();
        assert_eq!(stop_gate(&data, true, 3, 1000), Err(StopSkip::Active));
        for _ in 0..3 {
            assert_eq!(stop_gate(&data, false, 3, 1000), Ok(()));
            record_fire(&mut data, 1000);
        }
        assert_eq!(stop_gate(&data, false, 3, 1010), Err(StopSkip::FireCap));
        assert_eq!(stop_gate(&data, false, 0, 1010), Ok(()), "0 means no cap");
        assert_eq!(stop_gate(&data, false, 3, 1000 + FIRE_WINDOW), Ok(()), "the cap expires with the turn");
        record_fire(&mut data, 1000 + FIRE_WINDOW);
        assert_eq!(data.stop.fires, 1);
    }

    #[test]
    fn a_failed_or_interrupted_command_made_no_commit() {
        assert!(succeeded(
            &serde_json::json!({"stdout": "[main abc1234] x", "stderr": "", "interrupted": false})
        ));
        assert!(!succeeded(&serde_json::json!({"interrupted": true})));
        assert!(!succeeded(&serde_json::json!({"stderr": "fatal: not a git repository"})));
    }
}
