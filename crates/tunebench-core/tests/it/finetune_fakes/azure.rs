//! Azure Resource Manager's deployments of the Azure fake: strict about the management
//! request of FINETUNE-APIS.md (an Entra bearer token and no `api-key`, the api-version,
//! the sku and the model body); a deployment is 404 until PUT, then `Creating` for one
//! look, then `Succeeded`.

use serde_json::json;

use super::{bad, ok, State};
use crate::provider_server::{Recorded, Reply};

pub const MANAGEMENT_TOKEN: &str = "eyJ-fake-entra-token-42";
/// The deployment's resource ID the tests give as `azure_deployment`.
pub const DEPLOYMENT: &str = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.CognitiveServices/accounts/acct-1/deployments/support-ft";

pub fn management(s: &mut State, req: &Recorded) -> Reply {
    if req.headers.get("authorization") != Some(&format!("Bearer {MANAGEMENT_TOKEN}")) {
        return Reply::Status(
            401,
            vec![],
            json!({"error": {"code": "AuthenticationFailed"}}).to_string(),
        );
    }
    if req.headers.contains_key("api-key") {
        return bad(
            s,
            "the resource's api-key was sent to the management API".into(),
        );
    }
    let Some(path) = req.path.strip_suffix("?api-version=2024-10-01") else {
        return bad(s, format!("{} lacks ?api-version=2024-10-01", req.path));
    };
    if path != DEPLOYMENT {
        return bad(s, format!("no such deployment path: {path}"));
    }
    match (req.method.as_str(), &s.deployment) {
        ("GET", None) => Reply::Status(
            404,
            vec![],
            json!({"error": {"code": "DeploymentNotFound"}}).to_string(),
        ),
        ("GET", Some(d)) => {
            s.deployment_looks += 1;
            let state = if s.deployment_looks < 2 {
                "Creating"
            } else {
                "Succeeded"
            };
            ok(
                json!({"name": "support-ft", "properties": {"model": d["properties"]["model"], "provisioningState": state}}),
            )
        }
        ("PUT", _) => {
            let b = &req.body;
            let sku = b["sku"]["name"].as_str().unwrap_or("");
            if !["Standard", "GlobalStandard", "DeveloperTier"].contains(&sku)
                || !b["sku"]["capacity"].is_u64()
            {
                return bad(s, format!("sku is {}", b["sku"]));
            }
            let m = &b["properties"]["model"];
            if m["format"] != "OpenAI" || m["version"] != "1" || !m["name"].is_string() {
                return bad(s, format!("model is {m}"));
            }
            s.deployment = Some(b.clone());
            ok(
                json!({"name": "support-ft", "properties": {"model": m, "provisioningState": "Accepted"}}),
            )
        }
        (m, _) => bad(s, format!("no such management call: {m} {path}")),
    }
}
