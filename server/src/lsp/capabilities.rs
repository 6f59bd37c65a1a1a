//! What the server offers at `initialize`, and the position encoding it settles on with the client.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability, DiagnosticOptions,
    DiagnosticServerCapabilities, ExecuteCommandOptions, HoverProviderCapability, SaveOptions,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, WorkDoneProgressOptions,
};

use super::code_actions::{FIX_ALL, PLACE_CURSOR, REVIEW_ACTION};
use super::commit_review::REVIEW_COMMIT;
use super::position::{encoding_of, kind_of};
use super::pull::IDENTIFIER;
use super::review::REVIEW_CHANGES;
use crate::text::Encoding;

/// UTF-8 when the client offers it (our offsets are bytes, so nothing to convert), else UTF-16, which
/// every client speaks. `preferred` (an initialization option) wins when the client offers it too.
pub(super) fn negotiate_encoding(client: &ClientCapabilities, preferred: Option<&str>) -> Encoding {
    let offered: Vec<Encoding> = client
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref())
        .map(|kinds| kinds.iter().filter_map(encoding_of).collect())
        .unwrap_or_default();
    let preferred = preferred.and_then(|name| encoding_of(&name.to_owned().into()));
    if let Some(preferred) = preferred
        && (offered.contains(&preferred) || preferred == Encoding::Utf16)
    {
        return preferred;
    }
    if offered.contains(&Encoding::Utf8) { Encoding::Utf8 } else { Encoding::Utf16 }
}

/// What we offer; `pull` adds pull diagnostics (for clients that pull and take refreshes).
pub(super) fn server_capabilities(encoding: Encoding, pull: bool) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(kind_of(encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            // The review on save reads the file from disk: no text needed.
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
            ..TextDocumentSyncOptions::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![REVIEW_CHANGES.to_owned(), REVIEW_COMMIT.to_owned(), PLACE_CURSOR.to_owned()],
            ..ExecuteCommandOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(FIX_ALL),
                CodeActionKind::new(REVIEW_ACTION),
            ]),
            ..CodeActionOptions::default()
        })),
        diagnostic_provider: pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some(IDENTIFIER.to_owned()),
                inter_file_dependencies: false,
                workspace_diagnostics: true,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        ..ServerCapabilities::default()
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{GeneralClientCapabilities, PositionEncodingKind};

    use super::*;

    fn offering(kinds: &[PositionEncodingKind]) -> ClientCapabilities {
        ClientCapabilities {
            general: Some(GeneralClientCapabilities {
                position_encodings: Some(kinds.to_vec()),
                ..GeneralClientCapabilities::default()
            }),
            ..ClientCapabilities::default()
        }
    }

    #[test]
    fn utf8_when_offered_else_utf16_unless_an_offered_one_is_preferred() {
        let both = offering(&[PositionEncodingKind::UTF16, PositionEncodingKind::UTF8]);
        assert_eq!(negotiate_encoding(&both, None), Encoding::Utf8);
        assert_eq!(negotiate_encoding(&both, Some("utf-16")), Encoding::Utf16);
        assert_eq!(negotiate_encoding(&offering(&[PositionEncodingKind::UTF32]), None), Encoding::Utf16);
        assert_eq!(
            negotiate_encoding(&offering(&[PositionEncodingKind::UTF32]), Some("utf-32")),
            Encoding::CodePoints
        );
        assert_eq!(
            negotiate_encoding(&offering(&[PositionEncodingKind::UTF16]), Some("utf-8")),
            Encoding::Utf16
        );
        assert_eq!(negotiate_encoding(&ClientCapabilities::default(), None), Encoding::Utf16);
    }
}
