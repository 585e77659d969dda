//! Wire fidelity against fakes as strict as the real APIs (`provider_fakes`): what current
//! models refuse is never sent, and every way an answer ends is read as the provider meant
//! it.

use std::time::{Duration, SystemTime};

use serde_json::json;
use tunebench_core::provider::{
    self, ApiKey, ChatRequest, ErrorClass, FinishReason, GenParams, Message, Provider,
    ProviderKind, ResponseFormat, Role,
};
use tunebench_core::run::judge::ProviderJudge;
use tunebench_core::score::judge::{JudgeClient, JudgePrompt};

use crate::provider::provider;
use crate::provider_fakes::{
    anthropic_error, anthropic_event, anthropic_stream, anthropic_whole, openai_error,
    openai_stream, openai_usage, openai_whole, Api,
};
use crate::provider_server::{self as server, Reply};

mod endings;
mod retries;

fn request(model: &str, params: GenParams) -> ChatRequest {
    ChatRequest {
        model: model.into(),
        messages: vec![
            Message::new(Role::System, "be brief"),
            Message::new(Role::User, "Input: hello"),
        ],
        params,
    }
}

fn bounded(max_tokens: u32) -> GenParams {
    GenParams {
        max_tokens: Some(max_tokens),
        ..GenParams::default()
    }
}

fn key() -> ApiKey {
    ApiKey::new("sk-test-wire-0001")
}

async fn send(
    p: &Provider,
    r: &ChatRequest,
) -> Result<provider::ChatResponse, provider::CallError> {
    provider::send(&reqwest::Client::new(), p, Some(&key()), r).await
}

fn ok_openai(req: &server::Recorded) -> Reply {
    if req.body["stream"] == json!(true) {
        openai_stream(req, &["O", "K"], "stop", openai_usage(9, 1, 0))
    } else {
        openai_whole(Some("OK"), None, "stop", openai_usage(9, 1, 0))
    }
}

fn ok_anthropic(req: &server::Recorded) -> Reply {
    if req.body["stream"] == json!(true) {
        Reply::Sse(
            anthropic_stream(
                &["O", "K"],
                "end_turn",
                json!({"input_tokens": 9, "output_tokens": 1}),
                json!({"output_tokens": 1}),
            ),
            true,
        )
    } else {
        anthropic_whole(
            "OK",
            "end_turn",
            json!({"input_tokens": 9, "output_tokens": 1}),
        )
    }
}

// --- 1. no temperature where current models refuse it ---

#[tokio::test]
async fn test_connection_to_a_reasoning_model_sends_no_temperature_and_succeeds() {
    let srv = server::start_strict(Api::OpenAi, |req, _| ok_openai(req)).await;
    let p = provider(ProviderKind::OpenAi, &format!("{}/v1", srv.base_url), true);
    let check =
        provider::test_connection(&reqwest::Client::new(), &p, Some(&key()), "gpt-5.4-mini").await;
    assert!(check.ok, "{check:?}");
    let body = &srv.requests.lock().unwrap()[0].body;
    assert!(body.get("temperature").is_none(), "{body}");
    assert!(body.get("max_tokens").is_none(), "{body}");
}

#[tokio::test]
async fn test_connection_to_the_newest_claude_opus_sends_no_temperature_and_succeeds() {
    let srv = server::start_strict(Api::Anthropic, |req, _| ok_anthropic(req)).await;
    let p = provider(
        ProviderKind::Anthropic,
        &format!("{}/v1", srv.base_url),
        true,
    );
    let check =
        provider::test_connection(&reqwest::Client::new(), &p, Some(&key()), "claude-opus-4-7")
            .await;
    assert!(check.ok, "{check:?}");
}

#[tokio::test]
async fn the_judge_sends_no_temperature_unless_one_is_configured() {
    let srv = server::start_strict(Api::OpenAi, |req, _| ok_openai(req)).await;
    let judge = |temperature| ProviderJudge {
        client: reqwest::Client::new(),
        provider: provider(ProviderKind::OpenAi, &format!("{}/v1", srv.base_url), false),
        key: Some(key()),
        model: "gpt-5.4-mini".into(),
        temperature,
    };
    let prompt = JudgePrompt {
        system: "grade".into(),
        user: "answer".into(),
    };
    assert_eq!(judge(None).complete(&prompt).await.unwrap(), "OK");
    assert!(srv.requests.lock().unwrap()[0]
        .body
        .get("temperature")
        .is_none());
    let refused = judge(Some(0.0)).complete(&prompt).await.unwrap_err();
    assert!(
        refused
            .message
            .contains("Only the default (1) value is supported"),
        "a configured temperature is sent as set: {}",
        refused.message
    );
}

// --- 2. Anthropic's base URL with or without /v1 ---

#[tokio::test]
async fn anthropic_accepts_its_base_url_with_or_without_v1() {
    let srv = server::start_strict(Api::Anthropic, |req, _| ok_anthropic(req)).await;
    for base in [srv.base_url.clone(), format!("{}/v1/", srv.base_url)] {
        let p = provider(ProviderKind::Anthropic, &base, false);
        let r = send(&p, &request("claude-sonnet-4-5", bounded(8))).await;
        assert_eq!(
            r.map(|r| r.output).map_err(|e| e.message),
            Ok("OK".to_string()),
            "{base}"
        );
    }
    assert!(srv
        .requests
        .lock()
        .unwrap()
        .iter()
        .all(|r| r.path == "/v1/messages"));
}

// --- 3. Azure: reasoning deployments, the v1 path, old api-versions ---

#[tokio::test]
async fn an_azure_reasoning_deployment_gets_max_completion_tokens() {
    let srv = server::start_strict(Api::Azure, |req, _| ok_openai(req)).await;
    let mut p = provider(ProviderKind::AzureOpenAi, &srv.base_url, false);
    p.settings.api_version = Some("2024-12-01-preview".into());
    let r = send(&p, &request("o3-mini", bounded(8))).await;
    assert_eq!(r.map(|r| r.output).map_err(|e| e.message), Ok("OK".into()));
    assert_eq!(
        srv.requests.lock().unwrap()[0].body["max_completion_tokens"],
        json!(8)
    );
}

#[tokio::test]
async fn azure_v1_endpoints_name_the_deployment_in_the_body() {
    let srv = server::start_strict(Api::Azure, |req, _| ok_openai(req)).await;
    let p = provider(
        ProviderKind::AzureOpenAi,
        &format!("{}/openai/v1", srv.base_url),
        true,
    );
    let r = send(&p, &request("gpt-4o-prod", bounded(8))).await;
    assert_eq!(r.map(|r| r.output).map_err(|e| e.message), Ok("OK".into()));
    let req = &srv.requests.lock().unwrap()[0];
    assert_eq!(req.path, "/openai/v1/chat/completions");
    assert_eq!(req.body["model"], json!("gpt-4o-prod"));
    assert_eq!(req.headers["api-key"], "sk-test-wire-0001");
}

#[tokio::test]
async fn an_old_azure_api_version_streams_without_stream_options() {
    let srv = server::start_strict(Api::Azure, |req, _| ok_openai(req)).await;
    let mut p = provider(ProviderKind::AzureOpenAi, &srv.base_url, true);
    p.settings.api_version = Some("2024-06-01".into());
    let r = send(&p, &request("gpt-4o", bounded(8))).await;
    assert_eq!(r.map(|r| r.output).map_err(|e| e.message), Ok("OK".into()));
    let body = &srv.requests.lock().unwrap()[0].body;
    assert!(body.get("stream_options").is_none(), "{body}");
    assert_eq!(body["max_tokens"], json!(8), "{body}");
}

// --- 6. temperature with top_p, json_schema strictness ---

#[tokio::test]
async fn json_schema_strictness_is_a_setting_that_defaults_to_the_references_false() {
    let srv = server::start_strict(Api::OpenAi, |req, _| ok_openai(req)).await;
    let p = provider(ProviderKind::OpenAi, &format!("{}/v1", srv.base_url), false);
    for strict in [false, true] {
        let params = GenParams {
            max_tokens: Some(8),
            response_format: Some(ResponseFormat::JsonSchema {
                name: "label".into(),
                schema: r#"{"type":"object"}"#.into(),
                strict,
            }),
            ..GenParams::default()
        };
        send(&p, &request("gpt-4.1-mini", params)).await.unwrap();
    }
    let reqs = srv.requests.lock().unwrap();
    assert_eq!(
        reqs[0].body["response_format"]["json_schema"]["strict"],
        json!(false)
    );
    assert_eq!(
        reqs[1].body["response_format"]["json_schema"]["strict"],
        json!(true)
    );
    let default: ResponseFormat =
        serde_json::from_str(r#"{"type":"json_schema","name":"n","schema":"{}"}"#).unwrap();
    assert!(matches!(
        default,
        ResponseFormat::JsonSchema { strict: false, .. }
    ));
}

// --- 9. Anthropic cache writes ---

#[tokio::test]
async fn anthropic_cache_writes_are_counted_and_message_delta_usage_is_read() {
    let srv = server::start_strict(Api::Anthropic, |_, _| {
        Reply::Sse(
            anthropic_stream(
                &["ok"],
                "end_turn",
                json!({"input_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1}),
                json!({"input_tokens": 10, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 50, "output_tokens": 5}),
            ),
            true,
        )
    })
    .await;
    let p = provider(
        ProviderKind::Anthropic,
        &format!("{}/v1", srv.base_url),
        true,
    );
    let r = send(&p, &request("claude-sonnet-4-5", bounded(8)))
        .await
        .unwrap();
    let u = r.usage.unwrap();
    assert_eq!(
        (
            u.prompt_tokens,
            u.cached_tokens,
            u.cache_write_tokens,
            u.completion_tokens
        ),
        (160, Some(50), Some(100), 5)
    );
}

#[tokio::test]
async fn an_anthropic_account_without_credit_is_out_of_credit_and_not_retried() {
    let srv = server::start_strict(Api::Anthropic, |_, _| {
        anthropic_error(
            400,
            "invalid_request_error",
            "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
        )
    })
    .await;
    let p = provider(
        ProviderKind::Anthropic,
        &format!("{}/v1", srv.base_url),
        false,
    );
    let e = send(&p, &request("claude-sonnet-4-5", bounded(8)))
        .await
        .unwrap_err();
    assert!(!e.retryable());
    assert!(
        e.message
            .starts_with("the provider account is out of credit")
            && e.message.contains("HTTP 400"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn a_connection_test_whose_tokens_all_went_to_reasoning_says_so_and_passes() {
    let srv = server::start_strict(Api::OpenAi, |req, _| {
        openai_stream(req, &[], "length", openai_usage(9, 5, 0))
    })
    .await;
    let p = provider(ProviderKind::OpenAi, &format!("{}/v1", srv.base_url), true);
    let check =
        provider::test_connection(&reqwest::Client::new(), &p, Some(&key()), "o4-mini").await;
    assert!(check.ok, "{check:?}");
    assert!(
        check.message.contains("used all 5 tokens before replying"),
        "{}",
        check.message
    );
}
