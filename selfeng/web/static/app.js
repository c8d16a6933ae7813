// selfeng's page. Every piece of text from the server (tool output, model output, the user's own words)
// reaches the DOM through textContent / text nodes only: no HTML is ever parsed from data.
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const STEPS = ["specification", "tests", "implementation", "verification", "registration"];
  const TOKEN_KEY = "selfeng.token";
  const SESSION_KEY = "selfeng.session";

  // --- small DOM helpers (text only) ---------------------------------------------------------------
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));  // strings become text nodes
    }
    return node;
  }
  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  const asText = (v) => (typeof v === "string" ? v : JSON.stringify(v));
  const firstLine = (v) => String(v ?? "").split("\n")[0];

  // --- API token: from #token=… once, then this tab's sessionStorage ------------------------------
  let token = sessionStorage.getItem(TOKEN_KEY) || "";
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("token")) {
    token = hash.get("token");
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, "", location.pathname + location.search);
  }

  function askForToken() {
    $("token-form").hidden = false;
    $("token-input").focus();
  }

  async function api(path, options = {}) {
    const headers = Object.assign({}, options.headers || {});
    if (token) headers.Authorization = "Bearer " + token;
    const resp = await fetch(path, Object.assign({}, options, { headers }));
    if (resp.status === 401) askForToken();
    let body = null;
    try { body = await resp.json(); } catch (_) { /* not JSON */ }
    if (!resp.ok) throw new Error((body && body.error) || resp.status + " " + resp.statusText);
    return body;
  }

  // --- activity log ---------------------------------------------------------------------------------
  const CATEGORY = {
    queued: "queue", searching: "search", tool_found: "search", no_tool_found: "search",
    entering_synthesis_mode: "synth", synthesis_step: "synth", synthesis_complete: "ok",
    synthesis_failed: "fail", executing: "exec", execution_complete: "exec",
    synthesizing_response: "respond", complete: "ok", error: "fail", query: "user",
  };

  function describe(type, d) {
    switch (type) {
      case "query": return `you asked: ${clip(String(d.prompt), 300)}`;
      case "queued": return d.position > 0 ? `waiting: ${d.position} request(s) ahead` : "starting";
      case "searching": return "searching the tool library…";
      case "tool_found": {
        const sim = typeof d.similarity === "number" ? ` (similarity ${d.similarity.toFixed(2)})` : "";
        return `found tool ${d.tool_name}${sim}`;
      }
      case "no_tool_found": return "no tool fits: a new one is needed";
      case "entering_synthesis_mode": return "writing a new tool, test-first";
      case "synthesis_step": {
        let extra = "";
        if (d.step === "specification" && d.status === "complete" && d.signature) extra = `: ${d.signature}`;
        else if (d.step === "tests" && d.status === "complete" && d.test_count != null) extra = `: ${d.test_count} tests frozen`;
        else if (d.tests_passed != null) extra = `: ${d.tests_passed} passed, ${d.tests_failed ?? 0} failed`;
        if (Array.isArray(d.dropped_tests) && d.dropped_tests.length) extra += ` (dropped disputed: ${d.dropped_tests.join(", ")})`;
        if (d.message) extra += ` — ${d.message}`;
        if (d.error && d.status === "failed") extra += `: ${firstLine(d.error)}`;
        return `${d.step} ${d.status}${extra}`;
      }
      case "synthesis_complete": return `tool ${d.tool_name} verified and registered`;
      case "synthesis_failed": return `synthesis failed at ${d.step}: ${firstLine(d.error)}`;
      case "executing": return `running ${d.tool_name} in the sandbox…`;
      case "execution_complete":
        return d.success ? `result: ${clip(asText(d.result), 200)}` : `failed (${d.error_type}): ${clip(String(d.error), 200)}`;
      case "synthesizing_response": return "writing the answer…";
      case "complete": return d.success ? "done" : "finished with an error";
      case "error": return `error: ${d.error ?? d.message ?? ""}`;
      default: return clip(JSON.stringify(d), 200);
    }
  }

  const t0 = performance.now();
  function logLine(type, data) {
    const d = data || {};
    let cat = CATEGORY[type] || "other";
    if (type === "synthesis_step" && d.status === "failed") cat = "fail";
    if (type === "execution_complete" && !d.success) cat = "fail";
    const secs = ((performance.now() - t0) / 1000).toFixed(1).padStart(6, " ");
    const li = el("li", "log-line cat-" + cat,
      el("span", "log-time", secs + "s"), el("span", "log-type", type), el("span", "log-text", describe(type, d)));
    li.dataset.event = type;
    const log = $("log");
    log.append(li);
    log.scrollTop = log.scrollHeight;
  }

  // --- stage strip ----------------------------------------------------------------------------------
  function resetStages(note) {
    for (const li of $("stages").children) {
      li.className = "stage-pending";
      li.querySelector(".stage-info").textContent = "";
    }
    $("stages").classList.remove("skipped");
    $("stage-note").textContent = note || "";
  }

  function updateStages(type, d) {
    if (type === "tool_found") {
      $("stages").classList.add("skipped");
      $("stage-note").textContent = "— reusing an existing tool";
    } else if (type === "entering_synthesis_mode") {
      resetStages("— in progress");
    } else if (type === "synthesis_step" && STEPS.includes(d.step)) {
      const li = $("stages").querySelector(`li[data-step="${d.step}"]`);
      li.className = "stage-" + (d.status === "in_progress" ? "active" : d.status === "failed" ? "failed" : "done");
      const info = li.querySelector(".stage-info");
      if (d.tests_passed != null) info.textContent = `${d.tests_passed} passed · ${d.tests_failed ?? 0} failed`;
      else if (d.step === "tests" && d.test_count != null) info.textContent = `${d.test_count} tests`;
    } else if (type === "synthesis_complete") {
      $("stage-note").textContent = "— verified and registered";
    } else if (type === "synthesis_failed") {
      $("stage-note").textContent = "— failed";
    }
  }

  // --- response -------------------------------------------------------------------------------------
  function showResponse(msg) {
    const meta = msg.metadata || {};
    $("response-panel").hidden = false;
    const badge = $("badge");
    if (!msg.success) { badge.textContent = "FAILED"; badge.className = "badge badge-failed"; }
    else if (meta.synthesized) { badge.textContent = "NEW TOOL"; badge.className = "badge badge-new"; }
    else if (meta.tool_name) { badge.textContent = "EXISTING TOOL"; badge.className = "badge badge-existing"; }
    else { badge.textContent = ""; badge.className = "badge"; }
    $("response-tool").textContent = meta.tool_name || "";
    $("response-text").textContent = msg.response || "";
    const hasResult = meta.tool_result !== null && meta.tool_result !== undefined;
    $("result-details").hidden = !hasResult;
    $("tool-result").textContent = hasResult ? (typeof meta.tool_result === "string"
      ? meta.tool_result : JSON.stringify(meta.tool_result, null, 2)) : "";
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {  // older browsers or no permission: the selection route
      const ta = el("textarea", "offscreen");
      ta.value = text;
      document.body.append(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
  }

  // --- tool library and dialog ----------------------------------------------------------------------
  let shownCount = -1;
  async function loadTools() {
    try {
      const body = await api("/api/tools");
      renderTools(body.tools);
    } catch (e) {
      setStatus("could not load tools: " + e.message);
    }
  }

  function renderTools(tools) {
    const grid = $("tools");
    grid.replaceChildren();
    tools.sort((a, b) => a.name.localeCompare(b.name));
    for (const t of tools) {
      const card = el("button", "tool-card",
        el("span", "tool-name mono", t.name),
        el("span", "tool-doc", clip(t.docstring || "", 120)),
        el("span", "tool-meta",
          el("span", t.tests_verified ? "chip chip-ok" : "chip chip-warn", t.tests_verified ? "verified" : "unverified"),
          t.experimental ? el("span", "chip chip-exp", "EXPERIMENTAL") : null,
          el("span", "chip", `used ${t.usage_count}×`)));
      card.type = "button";
      card.dataset.tool = t.name;
      card.addEventListener("click", () => openTool(t.name));
      grid.append(card);
    }
    if (!tools.length) grid.append(el("p", "muted", "No tools yet: ask for something and one will be written."));
    setCount(tools.length);
  }

  function setCount(n) {
    shownCount = n;
    $("tool-count").textContent = String(n);
  }

  let dialogTool = null;
  async function openTool(name) {
    let t;
    try { t = await api("/api/tools/" + encodeURIComponent(name)); } catch (e) { setStatus(e.message); return; }
    dialogTool = t.name;
    $("d-name").textContent = t.name;
    $("d-signature").textContent = t.signature || "";
    $("d-doc").textContent = t.docstring || "";
    $("d-status").textContent = t.tests_verified ? "tests verified" : "NOT verified";
    $("d-status").className = "badge " + (t.tests_verified ? "badge-new" : "badge-failed");
    $("d-experimental").hidden = !t.experimental;
    const rate = t.usage_count ? ` · ${Math.round(t.success_rate * 100)}% succeeded` : "";
    $("d-stats").textContent = `used ${t.usage_count} time(s)${rate}` + (t.timestamp ? ` · created ${t.timestamp}` : "");
    $("d-code").textContent = t.code;
    $("d-tests").textContent = t.tests;
    $("tool-dialog").showModal();
  }

  // --- session --------------------------------------------------------------------------------------
  let sessionId = sessionStorage.getItem(SESSION_KEY) || "";

  function renderMessages(messages) {
    const list = $("messages");
    list.replaceChildren();
    for (const m of messages || []) {
      list.append(el("li", "msg msg-" + (m.role === "user" ? "user" : "assistant"),
        el("span", "msg-role", m.role), el("span", "msg-text", clip(String(m.content), 500))));
    }
    if (!list.children.length) list.append(el("li", "muted", "No messages yet."));
  }

  async function newSession() {
    try {
      const body = await api("/api/session", { method: "POST" });
      sessionId = body.session_id;
      sessionStorage.setItem(SESSION_KEY, sessionId);
      $("session-id").textContent = sessionId;
      renderMessages([]);
    } catch (e) {
      setStatus("could not start a session: " + e.message);
    }
  }

  async function restoreSession() {
    if (!sessionId) return newSession();
    try {
      const body = await api(`/api/session/${encodeURIComponent(sessionId)}/messages?limit=20`);
      $("session-id").textContent = sessionId;
      renderMessages(body.messages);
    } catch (_) {
      return newSession();  // unknown on this server (e.g. a new data directory)
    }
  }

  // --- Socket.IO ------------------------------------------------------------------------------------
  function setStatus(text) { $("status").textContent = text; }
  function setConn(on, text) {
    $("conn").textContent = text;
    $("conn").className = "conn " + (on ? "conn-on" : "conn-off");
  }

  let pending = false;
  function setPending(p) {
    pending = p;
    $("ask").disabled = p;
    document.body.classList.toggle("busy", p);
  }

  const socket = io({ auth: (cb) => cb({ token }), transports: ["websocket", "polling"] });
  window.selfengSocket = socket;  // for diagnostics and tests

  socket.on("connect", () => {
    setConn(true, "connected");
    $("token-form").hidden = true;
  });
  socket.on("disconnect", () => { setConn(false, "offline"); setPending(false); });
  socket.on("connect_error", (err) => {
    setConn(false, "offline");
    if (err && err.message === "unauthorized") askForToken();
  });
  socket.on("agent_event", (msg) => {
    const type = String(msg.event_type);
    const data = msg.data || {};
    logLine(type, data);
    updateStages(type, data);
    if (type === "queued") setStatus(data.position > 0 ? `queued: ${data.position} ahead` : "starting");
    else if (type !== "complete") setStatus("working…");
  });
  socket.on("query_complete", (msg) => {
    setPending(false);
    setStatus(msg.success ? "" : "the request failed");
    showResponse(msg);
    loadTools();
  });
  socket.on("tool_count", (msg) => {
    if (msg.count !== shownCount) loadTools();
  });
  socket.on("session_memory", (msg) => {
    if (msg.session_id === sessionId) renderMessages(msg.messages);
  });
  socket.on("error", (msg) => {
    setPending(false);
    const text = (msg && msg.message) || "error";
    logLine("error", { error: text });
    setStatus(text);
  });

  function ask(prompt) {
    prompt = prompt.trim();
    if (!prompt || pending) return;
    if (!socket.connected) { setStatus("not connected"); return; }
    setPending(true);
    resetStages();
    logLine("query", { prompt });
    socket.emit("query", { prompt, session_id: sessionId || null });
  }

  // --- wiring ---------------------------------------------------------------------------------------
  $("query-form").addEventListener("submit", (e) => { e.preventDefault(); ask($("prompt").value); });
  $("prompt").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); ask($("prompt").value); }
  });
  for (const b of document.querySelectorAll(".example")) {
    b.addEventListener("click", () => { $("prompt").value = b.textContent; ask(b.textContent); });
  }
  $("copy").addEventListener("click", async () => {
    await copyText($("response-text").textContent);
    $("copy").textContent = "Copied";
    setTimeout(() => { $("copy").textContent = "Copy"; }, 1200);
  });
  $("clear-log").addEventListener("click", () => $("log").replaceChildren());
  $("new-session").addEventListener("click", newSession);
  $("d-close").addEventListener("click", () => $("tool-dialog").close());
  $("d-delete").addEventListener("click", async () => {
    if (!dialogTool || !confirm(`Delete ${dialogTool}?`)) return;
    try {
      await api("/api/tools/" + encodeURIComponent(dialogTool), { method: "DELETE" });
      $("tool-dialog").close();
      loadTools();
    } catch (e) { setStatus(e.message); }
  });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    token = $("token-input").value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token-form").hidden = true;
    socket.connect();
    loadTools();
    restoreSession();
  });

  resetStages();
  loadTools();
  restoreSession();
})();
