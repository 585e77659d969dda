import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { Provider_Serialize as Provider } from "../bindings";
import { checkText, draftOf, emptyDraft, providersView, setKind, type Actions, type State } from "./providers";

function actions(): Actions {
  return {
    add: vi.fn(), edit: vi.fn(), cancel: vi.fn(), save: vi.fn(), saveKey: vi.fn(), test: vi.fn(), changed: vi.fn(),
    askDelete: vi.fn(), remove: vi.fn(),
  };
}

function provider(over: Partial<Provider>): Provider {
  return {
    id: 1, name: "local", kind: "openai_compatible", base_url: "http://127.0.0.1:8080/v1", api_key_env: null,
    settings: {
      max_concurrency: 4, requests_per_minute: 0, tokens_per_minute: 0, timeout_s: 30, max_attempts: 3,
      backoff_initial_ms: 500, backoff_max_ms: 30000, api_version: null, stream: true,
    },
    ...over,
  };
}

function state(over: Partial<State>): State {
  return { providers: [], draft: null, testModel: {}, checks: {}, keys: {}, deleting: null, busy: null, error: null, notice: null, ...over };
}

function draw(s: State, a: Actions): HTMLElement {
  const el = document.createElement("div");
  render(providersView(s, a), el);
  return el;
}

describe("providers screen", () => {
  it("says “none” where no key was filed, and names the variable or the keychain where one was", () => {
    const el = draw(state({
      providers: [provider({ id: 1, name: "local" }), provider({ id: 2, name: "cloud" }), provider({ id: 3, name: "env" })],
      keys: {
        1: { kind: "none", note: "the provider names no environment variable and the keychain holds no key for \"local\"" },
        2: { kind: "keychain" },
        3: { kind: "env", var: "OPENAI_API_KEY" },
      },
    }), actions());
    const cells = [...el.querySelectorAll("td.key-source")].map((td) => td.textContent?.trim());
    expect(cells).toEqual(["none", "keychain", "$OPENAI_API_KEY"]);
    expect(el.querySelector("td.key-source span")?.getAttribute("title")).toContain("the keychain holds no key");
  });

  it("names a provider's kind in the table without the examples in brackets, so the column stays narrow", () => {
    const el = draw(state({ providers: [provider({ id: 1 })] }), actions());
    expect(el.querySelector("#provider-1 td:nth-child(2)")?.textContent).toBe("OpenAI-compatible");
  });

  it("shows example values as hints that do not read as filled in", () => {
    const el = draw(state({ draft: emptyDraft() }), actions());
    expect((el.querySelector("#provider-name") as HTMLInputElement).placeholder).toBe("e.g. local");
    expect((el.querySelector("#provider-api_key_env") as HTMLInputElement).placeholder).toBe("e.g. OPENAI_API_KEY");
    expect((el.querySelector("#provider-base_url") as HTMLInputElement).placeholder).toMatch(/^e\.g\. /);
  });

  it("deletes a provider only after a confirmation in the row", () => {
    const a = actions();
    const p = provider({ id: 4, name: "old" });
    let el = draw(state({ providers: [p] }), a);
    (el.querySelector(".delete-provider") as HTMLButtonElement).click();
    expect(a.askDelete).toHaveBeenCalledWith(p);
    expect(a.remove).not.toHaveBeenCalled();
    el = draw(state({ providers: [p], deleting: 4 }), a);
    expect(el.querySelector("#confirm-provider-4")?.textContent).toContain("Delete old?");
    (el.querySelector("#confirm-provider-4-yes") as HTMLButtonElement).click();
    expect(a.remove).toHaveBeenCalledWith(p);
  });

  it("says in the confirmation what happens to the provider's key", () => {
    const p = provider({ id: 4, name: "old" });
    const confirm = (keys: State["keys"]) =>
      draw(state({ providers: [p], deleting: 4, keys }), actions()).querySelector("#confirm-provider-4")?.textContent ?? "";
    expect(confirm({ 4: { kind: "keychain" } })).toContain("Its API key is removed from the OS keychain too.");
    const env = confirm({ 4: { kind: "env", var: "OLD_KEY" } });
    expect(env).toContain("The environment variable $OLD_KEY is left as it is.");
    expect(env).not.toContain("keychain");
    expect(confirm({ 4: { kind: "none", note: "no key" } })).not.toMatch(/keychain|environment/);
  });

  it("says so when the store holds no provider", () => {
    const el = draw(state({}), actions());
    expect(el.querySelector("#providers-empty")?.textContent).toContain("No providers yet");
    expect(el.querySelector("#providers-table")).toBeNull();
  });

  it("lists providers with where their key comes from and tests the one clicked", () => {
    const a = actions();
    const p = provider({ id: 7, name: "openai", kind: "openai", api_key_env: "OPENAI_API_KEY" });
    const el = draw(state({ providers: [p], keys: { 7: { kind: "env", var: "OPENAI_API_KEY" } } }), a);
    const tr = el.querySelector("#provider-7") as HTMLElement;
    expect(tr.textContent).toContain("$OPENAI_API_KEY");
    expect(tr.textContent).toContain("no limit");
    (tr.querySelector(".test-connection") as HTMLButtonElement).click();
    expect(a.test).toHaveBeenCalledWith(p);
  });

  it("shows the latency of a good check and the failure of a bad one in words", () => {
    const ok = { ok: true, latency_ms: 41.6, message: "OK", error_class: null, http_status: null };
    const bad = { ok: false, latency_ms: 12, message: "the key is wrong", error_class: "bad_key" as const, http_status: 401 };
    expect(checkText(ok)).toBe("Connected in 42 ms; the model replied “OK”.");
    expect(checkText(bad)).toBe("Failed in 12 ms: the key is wrong");
    const el = draw(state({ providers: [provider({ id: 1 }), provider({ id: 2, name: "b" })], checks: { 1: ok, 2: "testing" } }), actions());
    expect(el.querySelector("#provider-1 .check")?.className).toContain("good");
    expect(el.querySelector("#provider-2 .check")?.textContent).toBe("Testing…");
    expect((el.querySelector("#provider-2 .test-connection") as HTMLButtonElement).disabled).toBe(true);
  });

  it("escapes a provider name that looks like markup", () => {
    const el = draw(state({ providers: [provider({ name: "<img src=x onerror=alert(1)>" })] }), actions());
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("#provider-1")?.textContent).toContain("<img src=x");
  });

  it("fills the form from a provider and asks for api-version only for Azure", () => {
    const d = draftOf(provider({ kind: "azure_openai", api_key_env: "AZ_KEY", settings: { ...provider({}).settings, api_version: "2024-10-21" } }));
    expect(d.api_key_env).toBe("AZ_KEY");
    expect(d.max_concurrency).toBe("4");
    let el = draw(state({ draft: d }), actions());
    expect((el.querySelector("#provider-api_version") as HTMLInputElement).value).toBe("2024-10-21");
    el = draw(state({ draft: emptyDraft() }), actions());
    expect(el.querySelector("#provider-api_version")).toBeNull();
  });

  it("pre-fills each kind's real default base URL and keeps one the user typed", () => {
    const d = emptyDraft();
    expect(d.base_url).toBe("http://localhost:11434/v1");
    const el = draw(state({ draft: d }), actions());
    const kind = el.querySelector("#provider-kind") as HTMLSelectElement;
    kind.value = "anthropic";
    kind.dispatchEvent(new Event("change"));
    expect(d.base_url).toBe("https://api.anthropic.com/v1");
    setKind(d, "openai");
    expect(d.base_url).toBe("https://api.openai.com/v1");
    setKind(d, "azure_openai");
    expect(d.base_url).toBe("");
    const azure = draw(state({ draft: d }), actions());
    expect((azure.querySelector("#provider-base_url") as HTMLInputElement).placeholder).toContain("openai.azure.com");
    d.base_url = "https://acme.openai.azure.com";
    setKind(d, "openai");
    expect(d.base_url).toBe("https://acme.openai.azure.com");
  });

  it("keeps the key field a password input and the save-key button off until a name and key are typed", () => {
    const a = actions();
    const d = emptyDraft();
    let el = draw(state({ draft: d }), a);
    expect((el.querySelector("#provider-key") as HTMLInputElement).type).toBe("password");
    expect((el.querySelector("#provider-save-key") as HTMLButtonElement).disabled).toBe(true);
    d.name = "openai";
    d.key = "sk-test";
    el = draw(state({ draft: d }), a);
    (el.querySelector("#provider-save-key") as HTMLButtonElement).click();
    expect(a.saveKey).toHaveBeenCalledOnce();
  });
});
