//! The framing layer in front of tower-lsp-server: a malformed frame gets a JSON-RPC error and the
//! session goes on.
//!
//! tower-lsp-server 0.23 ends the session silently when one frame does not decode, so every frame is
//! checked here first and only well-formed messages reach it, re-framed with a clean header. Its output
//! is re-framed too, so that the error replies written here never interleave with its frames.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Bytes buffered between this layer and the framework in each direction.
pub(super) const PIPE_CAPACITY: usize = 1 << 20;
/// Longest header line accepted; a longer one is garbage.
const MAX_HEADER_LINE: u64 = 8 * 1024;
/// Largest message body accepted (a 10 MB document sent as JSON with escapes fits).
const MAX_BODY: usize = 64 * 1024 * 1024;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// What one read from the stream gave.
#[derive(Debug, PartialEq)]
enum Frame {
    Body(Vec<u8>),
    /// Headers without a usable `Content-Length`, or a body too large to take: skipped.
    Bad(String),
}

/// Reads frames from the client, forwards the well-formed ones to the framework and queues an error
/// reply for each malformed one. Returns at the end of input.
pub(super) async fn forward_input<R, W>(input: R, mut server: W, replies: UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    loop {
        let frame = match read_frame(&mut input).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!("reading the client's input failed: {e}");
                break;
            }
        };
        let problem = match frame {
            Frame::Body(body) => match check(&body) {
                Ok(()) => {
                    if write_frame(&mut server, &body).await.is_err() {
                        break; // the framework has stopped reading (after `exit`)
                    }
                    continue;
                }
                Err(reply) => reply,
            },
            Frame::Bad(why) => error_reply(PARSE_ERROR, &why, &Value::Null),
        };
        tracing::warn!("answered a malformed message with a JSON-RPC error");
        let _ = replies.send(problem);
    }
    // Closing the pipe tells the framework the input ended.
    let _ = server.shutdown().await;
}

/// Copies the framework's frames to the client, with this layer's error replies in between.
pub(super) async fn forward_output<R, W>(
    from_server: R,
    mut replies: UnboundedReceiver<Vec<u8>>,
    mut output: W,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut from_server = BufReader::new(from_server);
    loop {
        let body = tokio::select! {
            frame = read_frame(&mut from_server) => match frame {
                Ok(Some(Frame::Body(body))) => body,
                Ok(Some(Frame::Bad(why))) => {
                    tracing::error!("the framework wrote a bad frame: {why}");
                    continue;
                }
                Ok(None) | Err(_) => break,
            },
            Some(reply) = replies.recv() => reply,
        };
        if write_frame(&mut output, &body).await.is_err() {
            tracing::warn!("the client closed its input");
            return;
        }
    }
    // Replies queued before the framework stopped still go out.
    while let Ok(reply) = replies.try_recv() {
        let _ = write_frame(&mut output, &reply).await;
    }
}

/// Reads one frame: headers up to an empty line, then `Content-Length` bytes. `None` at the end of input.
async fn read_frame<R: AsyncRead + Unpin>(input: &mut BufReader<R>) -> std::io::Result<Option<Frame>> {
    let mut content_length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let read = (&mut *input).take(MAX_HEADER_LINE).read_until(b'\n', &mut line).await?;
        if read == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank lines between frames
        }
        saw_header = true;
        if !line.ends_with(b"\n") {
            return Ok(Some(Frame::Bad("header line too long".into())));
        }
        // Found anywhere in the line, so that the rest of a short-counted body before the next header
        // does not hide it (the framework resynchronises the same way).
        if let Some(at) = text.to_ascii_lowercase().rfind("content-length:") {
            let value = text[at + "content-length:".len()..].trim();
            content_length = Some(value.parse().map_err(|_| format!("bad Content-Length `{value}`")));
        }
    }
    let length = match content_length {
        Some(Ok(length)) => length,
        Some(Err(why)) => return Ok(Some(Frame::Bad(why))),
        None => return Ok(Some(Frame::Bad("missing Content-Length header".into()))),
    };
    if length > MAX_BODY {
        tokio::io::copy(&mut (&mut *input).take(length as u64), &mut tokio::io::sink()).await?;
        return Ok(Some(Frame::Bad(format!("message of {length} bytes is over the {MAX_BODY}-byte limit"))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).await?;
    Ok(Some(Frame::Body(body)))
}

async fn write_frame<W: AsyncWrite + Unpin>(output: &mut W, body: &[u8]) -> std::io::Result<()> {
    output.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()).await?;
    output.write_all(body).await?;
    output.flush().await
}

/// Whether the framework can decode `body`; if not, the error reply to send instead.
fn check(body: &[u8]) -> Result<(), Vec<u8>> {
    // The framework decodes a body as a response or a request; try the common case first.
    if serde_json::from_slice::<Request>(body).is_ok() || serde_json::from_slice::<Response>(body).is_ok() {
        return Ok(());
    }
    match serde_json::from_slice::<Value>(body) {
        Err(e) => Err(error_reply(PARSE_ERROR, &format!("Parse error: {e}"), &Value::Null)),
        Ok(value) => {
            let id = value.get("id").filter(|id| id.is_number() || id.is_string()).unwrap_or(&Value::Null);
            Err(error_reply(INVALID_REQUEST, "Invalid request: not a JSON-RPC 2.0 message", id))
        }
    }
}

fn error_reply(code: i64, message: &str, id: &Value) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &str) -> Vec<Frame> {
        let mut reader = BufReader::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(frame) = read_frame(&mut reader).await.unwrap() {
            out.push(frame);
        }
        out
    }

    #[tokio::test]
    async fn reads_frames_with_any_header_case_and_extra_headers() {
        let input = "Content-Length: 2\r\n\r\n{}content-length: 3\r\nContent-Type: x\r\n\r\n[1]";
        assert_eq!(frames(input).await, [Frame::Body(b"{}".to_vec()), Frame::Body(b"[1]".to_vec())]);
    }

    #[tokio::test]
    async fn a_frame_without_length_is_bad_and_the_next_one_still_reads() {
        let input = "X-Junk: 1\r\n\r\nContent-Length: 2\r\n\r\n{}";
        let got = frames(input).await;
        assert!(matches!(&got[0], Frame::Bad(why) if why.contains("Content-Length")));
        assert_eq!(got[1], Frame::Body(b"{}".to_vec()));
    }

    #[test]
    fn malformed_json_is_a_parse_error_and_a_non_message_an_invalid_request() {
        let reply: Value = serde_json::from_slice(&check(b"{not json").unwrap_err()).unwrap();
        assert_eq!(reply["error"]["code"], PARSE_ERROR);
        assert_eq!(reply["id"], Value::Null);
        let reply: Value =
            serde_json::from_slice(&check(br#"{"jsonrpc":"1.0","id":7}"#).unwrap_err()).unwrap();
        assert_eq!(reply["error"]["code"], INVALID_REQUEST);
        assert_eq!(reply["id"], 7);
        assert!(check(br#"{"jsonrpc":"2.0","method":"exit"}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_ok());
    }
}
