//! Serving an Azure OpenAI fine-tune. Azure serves a fine-tuned model only under a
//! deployment: the person either names one they made in the portal (the arm calls it at
//! once) or gives the deployment's full Azure resource ID, and Tunebench creates it through
//! the management API (`PUT …/deployments/{name}`) with an Entra bearer token read from
//! [`TOKEN_ENV`] — never stored — then waits for `provisioningState` Succeeded.

use serde_json::{json, Value};

use super::flow::{later, Context};
use super::job::{backoff_seconds, FineTuneJob, JobEvent};
use crate::provider::{retry_after_from, ApiKey, CallError};
use crate::{store, Result};

/// The environment variable holding an Entra token for the management API.
pub const TOKEN_ENV: &str = "AZURE_MANAGEMENT_TOKEN";
/// Azure Resource Manager.
pub const MANAGEMENT: &str = "https://management.azure.com";
/// The management API's version for deployments (Deployments - Create Or Update, stable).
const API_VERSION: &str = "2024-10-01";

/// Whether `deployment` is a deployment's Azure resource ID (Tunebench creates it) rather
/// than the name of one the person made.
pub fn is_resource_id(deployment: &str) -> bool {
    deployment.starts_with("/subscriptions/")
        && deployment.contains("/providers/Microsoft.CognitiveServices/accounts/")
        && deployment.contains("/deployments/")
}

/// The name a deployment is called by: the last segment of a resource ID, or the name.
pub fn deployment_name(deployment: &str) -> &str {
    deployment.rsplit('/').next().unwrap_or(deployment)
}

/// What the management API says of a deployment.
#[derive(Debug, Clone, PartialEq)]
pub enum Provisioning {
    /// `provisioningState` Succeeded: the arm may call it.
    Ready,
    /// Still being made (`Creating`, `Accepted`, …), or just asked for.
    Pending(String),
    /// Azure gave up (`Failed`, `Canceled`).
    Failed(String),
}

/// One look at deployment `resource` of `model`: asks for it when it does not exist yet.
pub async fn provision(
    client: &reqwest::Client,
    base: &str,
    token: &ApiKey,
    resource: &str,
    model: &str,
) -> std::result::Result<Provisioning, CallError> {
    let url = format!(
        "{}{resource}?api-version={API_VERSION}",
        base.trim_end_matches('/')
    );
    let send = |rb: reqwest::RequestBuilder| async move {
        let resp = rb
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(|e| CallError::from_transport(&e))?;
        let (status, retry) = (resp.status(), retry_after_from(resp.headers()));
        let text = resp
            .text()
            .await
            .map_err(|e| CallError::from_transport(&e))?;
        if status.as_u16() == 404 {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(CallError::from_status(status.as_u16(), &text, retry).redacted(Some(token)));
        }
        serde_json::from_str::<Value>(&text)
            .map(Some)
            .map_err(CallError::malformed)
    };
    let state = match send(client.get(&url)).await? {
        Some(v) => v,
        None => {
            let body = json!({
                "sku": {"name": "Standard", "capacity": 1},
                "properties": {"model": {"format": "OpenAI", "name": model, "version": "1"}},
            });
            send(client.put(&url).json(&body))
                .await?
                .unwrap_or(Value::Null)
        }
    };
    let word = state
        .pointer("/properties/provisioningState")
        .and_then(Value::as_str)
        .unwrap_or("Accepted")
        .to_string();
    Ok(match word.as_str() {
        "Succeeded" => Provisioning::Ready,
        "Failed" | "Canceled" => Provisioning::Failed(word),
        _ => Provisioning::Pending(word),
    })
}

/// What the person must do when there is no management token, in plain words.
fn needs_token(name: &str, model: &str) -> String {
    format!(
        "Azure OpenAI trained {model}; to serve it as deployment {name}, Tunebench needs an \
         Entra token for the management API: set {TOKEN_ENV} to the output of `az account \
         get-access-token --resource {MANAGEMENT} --query accessToken -o tsv` and keep the app \
         open (or run `tunebench finetune status`); the token is read, never stored"
    )
}

/// Makes sure a succeeded Azure job's deployment serves its model. Returns true when the
/// arm can be made now (a deployment the person named, or a managed one that is ready);
/// false when the job was saved waiting for the deployment (or for a token) and a later
/// look carries on.
pub(super) async fn serve(ctx: &Context, job: &mut FineTuneJob) -> Result<bool> {
    let (Some(resource), Some(model)) = (job.deployment.clone(), job.result_model.clone()) else {
        return Ok(true);
    };
    if !is_resource_id(&resource) {
        return Ok(true);
    }
    let name = deployment_name(&resource).to_string();
    let look = match (ctx.azure_token)() {
        None => Err(needs_token(&name, &model)),
        Some(token) => provision(
            &ctx.client,
            &ctx.azure_management,
            &token,
            &resource,
            &model,
        )
        .await
        .map_err(|e| format!("the deployment request failed: {}", e.message)),
    };
    let now = (ctx.clock)();
    let note = |job: &mut FineTuneJob, level: &str, message: String| {
        if job.events.last().map(|e| &e.message) != Some(&message) {
            job.events.push(JobEvent {
                level: level.into(),
                ..JobEvent::info(now.clone(), message)
            });
        }
    };
    match look {
        Ok(Provisioning::Ready) => {
            job.error_message = None;
            note(job, "info", format!("deployment {name} serves {model}"));
            return Ok(true);
        }
        Ok(Provisioning::Pending(word)) => {
            job.error_message = None;
            note(job, "info", format!("deployment {name} of {model}: {word}"));
            job.poll_failures = 0;
        }
        Ok(Provisioning::Failed(word)) => {
            let why = format!(
                "Azure could not make deployment {name} of {model} (provisioning {word}); \
                 check the account's quota for fine-tuned deployments"
            );
            note(job, "error", why.clone());
            job.error_message = Some(why);
            job.poll_failures = job.poll_failures.saturating_add(1);
        }
        Err(why) => {
            note(job, "warning", why.clone());
            job.error_message = Some(why);
            job.poll_failures = job.poll_failures.saturating_add(1);
        }
    }
    job.next_poll_at = Some(later(&now, backoff_seconds(job.poll_failures)));
    job.updated_at = now;
    store::fine_tune::save(&store::open(&ctx.db_path)?, job)?;
    Ok(false)
}

/// The management token from [`TOKEN_ENV`], when it is set and not empty.
pub fn token_from_env() -> Option<ApiKey> {
    std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(|t| ApiKey::new(t.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_id_is_told_from_a_deployment_name_and_named_by_its_last_segment() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a/deployments/support-ft";
        assert!(is_resource_id(id));
        assert!(!is_resource_id("support-ft"));
        assert_eq!(deployment_name(id), "support-ft");
        assert_eq!(deployment_name("support-ft"), "support-ft");
    }
}
