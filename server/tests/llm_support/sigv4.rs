//! `SigV4` signing checked against AWS's test vectors (`tests/fixtures/sigv4/`, see its README), the IAM
//! `ListUsers` worked example of the AWS General Reference, and a Bedrock request whose model id holds
//! a `:`, with the expected canonical request written out by hand and signed by an independent HMAC
//! chain (ring), so the check does not trust aws-sigv4's own canonicalisation.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use ring::hmac;
use sg_lsp::llm::Secret;
use sg_lsp::llm::config::AwsCredentials;
use sg_lsp::llm::sigv4::{SigningInput, encode_path_segment, sign_request};
use sha2::{Digest, Sha256};

// AWS's documentation example credentials (not real; used by every published SigV4 vector).
const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sigv4")
}

fn read(case: &str, file: &str) -> String {
    std::fs::read_to_string(vectors().join(case).join(file)).unwrap()
}

fn credentials(token: Option<&str>) -> AwsCredentials {
    AwsCredentials {
        access_key_id: ACCESS_KEY.into(),
        secret_access_key: Secret::new(SECRET_KEY),
        session_token: token.map(Secret::new),
    }
}

/// `20150830T123600Z` → a `SystemTime`.
fn amz_time(stamp: &str) -> SystemTime {
    let date = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &stamp[0..4],
        &stamp[4..6],
        &stamp[6..8],
        &stamp[9..11],
        &stamp[11..13],
        &stamp[13..15]
    );
    // httpdate has no ISO parser; count days by hand (the vectors are 2015 and 2021).
    let (y, m, d): (i64, i64, i64) =
        (date[0..4].parse().unwrap(), date[5..7].parse().unwrap(), date[8..10].parse().unwrap());
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs: i64 = days * 86_400
        + date[11..13].parse::<i64>().unwrap() * 3600
        + date[14..16].parse::<i64>().unwrap() * 60
        + date[17..19].parse::<i64>().unwrap();
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap())
}

/// The signature of a string to sign, computed independently of aws-sigv4.
fn independent_signature(string_to_sign: &str, date: &str, region: &str, service: &str) -> String {
    let mac = |key: &[u8], data: &str| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
    let k_date = mac(format!("AWS4{SECRET_KEY}").as_bytes(), date);
    let k_region = mac(k_date.as_ref(), region);
    let k_service = mac(k_region.as_ref(), service);
    let k_signing = mac(k_service.as_ref(), "aws4_request");
    hex::encode(mac(k_signing.as_ref(), string_to_sign).as_ref())
}

fn string_to_sign(canonical_request: &str, stamp: &str, region: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{}/{region}/{service}/aws4_request\n{}",
        &stamp[..8],
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

struct VectorRequest {
    method: String,
    path: String,
    host: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Parses `request.txt`: request line, `Name:value` headers, blank line, body.
fn parse_request(text: &str) -> VectorRequest {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let mut parts = request_line.splitn(3, ' ');
    let method = parts.next().unwrap().to_string();
    let path = parts.next().unwrap().to_string();
    let mut host = String::new();
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').unwrap();
        if name.eq_ignore_ascii_case("host") {
            host = value.trim().to_string();
        } else if !name.eq_ignore_ascii_case("x-amz-date") {
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    VectorRequest { method, path, host, headers, body: body.as_bytes().to_vec() }
}

fn signature_of(headers: &[sg_lsp::llm::sigv4::SignedHeader]) -> String {
    let authorization = headers.iter().find(|h| h.name == "authorization").unwrap();
    authorization.value.rsplit_once("Signature=").unwrap().1.to_string()
}

/// Signs a vector's request with our signer and returns the headers.
fn sign_vector(
    case: &str,
    region: &str,
    service: &str,
    stamp: &str,
    token: Option<&str>,
) -> Vec<sg_lsp::llm::sigv4::SignedHeader> {
    let request = parse_request(&read(case, "request.txt"));
    let url = format!("https://{}{}", request.host, request.path);
    let headers: Vec<(&str, &str)> = request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let sign_body = read_context(case).is_some_and(|c| c["sign_body"] == true);
    sign_request(
        &SigningInput {
            method: &request.method,
            url: &url,
            headers: &headers,
            body: &request.body,
            content_sha256_header: sign_body,
        },
        &credentials(token),
        region,
        service,
        amz_time(stamp),
    )
    .unwrap()
}

fn read_context(case: &str) -> Option<serde_json::Value> {
    std::fs::read_to_string(vectors().join(case).join("context.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).unwrap())
}

#[test]
fn official_vectors_sign_to_the_published_signatures() {
    for case in
        ["get-vanilla", "post-vanilla", "get-vanilla-with-session-token", "post-x-www-form-urlencoded"]
    {
        let context = read_context(case).unwrap();
        let token = context["credentials"]["token"].as_str();
        let headers = sign_vector(case, "us-east-1", "service", "20150830T123600Z", token);
        let expected = read(case, "header-signature.txt");
        assert_eq!(signature_of(&headers), expected.trim(), "{case}");
        // The published Authorization line, and the session token header when there is one.
        let signed_request = read(case, "header-signed-request.txt");
        let published = signed_request.lines().find_map(|l| l.strip_prefix("Authorization:")).unwrap().trim();
        let ours = headers.iter().find(|h| h.name == "authorization").unwrap();
        assert_eq!(ours.value, published, "{case}");
        assert!(ours.sensitive);
        assert_eq!(
            headers.iter().any(|h| h.name == "x-amz-security-token" && h.sensitive),
            token.is_some(),
            "{case}"
        );
        // Our independent chain agrees with the published string to sign and signature.
        let sts = read(case, "header-string-to-sign.txt");
        assert_eq!(
            string_to_sign(
                &read(case, "header-canonical-request.txt"),
                "20150830T123600Z",
                "us-east-1",
                "service"
            ),
            sts
        );
        assert_eq!(
            independent_signature(&sts, "20150830", "us-east-1", "service"),
            expected.trim(),
            "{case}"
        );
    }
}

#[test]
fn a_colon_in_the_path_is_encoded_twice_in_the_canonical_request() {
    // smithy-rs's double-url-encode case: `%3A` on the wire, `%253A` in the canonical request.
    let case = "double-url-encode";
    let creq = read(case, "header-canonical-request.txt");
    assert!(creq.contains("arn%253Aaws%253Alambda"));
    let sts = read(case, "header-string-to-sign.txt");
    assert_eq!(string_to_sign(creq.trim_end(), "20210511T154045Z", "us-east-2", "lambda"), sts.trim_end());
    let published = read(case, "header-signed-request.txt");
    let published = published.rsplit_once("Signature=").unwrap().1.trim();
    assert_eq!(independent_signature(sts.trim_end(), "20210511", "us-east-2", "lambda"), published);
    let headers = sign_vector(case, "us-east-2", "lambda", "20210511T154045Z", None);
    assert_eq!(signature_of(&headers), published);
}

#[test]
fn iam_list_users_worked_example() {
    // AWS General Reference, "Examples of the complete Signature Version 4 signing process" (IAM ListUsers).
    let headers = sign_request(
        &SigningInput {
            method: "GET",
            url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
            headers: &[("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: b"",
            content_sha256_header: false,
        },
        &credentials(None),
        "us-east-1",
        "iam",
        amz_time("20150830T123600Z"),
    )
    .unwrap();
    assert_eq!(signature_of(&headers), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

#[test]
fn bedrock_invoke_with_a_colon_model_id() {
    let model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    let path = format!("/model/{}/invoke", encode_path_segment(model));
    assert_eq!(path, "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke");
    let body = br#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"#;
    let host = "bedrock-runtime.us-east-1.amazonaws.com";
    let body_hash = hex::encode(Sha256::digest(body));
    let canonical = |uri: &str| {
        format!(
            "POST\n{uri}\n\ncontent-type:application/json\nhost:{host}\nx-amz-date:20150830T123600Z\n\n\
             content-type;host;x-amz-date\n{body_hash}"
        )
    };
    let expected = independent_signature(
        &string_to_sign(
            &canonical("/model/anthropic.claude-sonnet-4-5-20250929-v1%253A0/invoke"),
            "20150830T123600Z",
            "us-east-1",
            "bedrock",
        ),
        "20150830",
        "us-east-1",
        "bedrock",
    );
    let singly_encoded = independent_signature(
        &string_to_sign(&canonical(&path), "20150830T123600Z", "us-east-1", "bedrock"),
        "20150830",
        "us-east-1",
        "bedrock",
    );
    let headers = sign_request(
        &SigningInput {
            method: "POST",
            url: &format!("https://{host}{path}"),
            headers: &[("content-type", "application/json")],
            body,
            content_sha256_header: false,
        },
        &credentials(None),
        "us-east-1",
        "bedrock",
        amz_time("20150830T123600Z"),
    )
    .unwrap();
    assert_eq!(signature_of(&headers), expected);
    assert_ne!(expected, singly_encoded, "the single-encoding signature must differ (it gets a 403)");
    let authorization = &headers.iter().find(|h| h.name == "authorization").unwrap().value;
    assert!(authorization.contains("Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request"));
    assert!(authorization.contains("SignedHeaders=content-type;host;x-amz-date,"));
}
