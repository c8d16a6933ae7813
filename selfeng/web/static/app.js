// selfeng's page. Every piece of text from the server (tool output, model output, the user's own words)
// reaches the DOM through textContent / text nodes only: no HTML is ever parsed from data.
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const STEPS = ["specification", "tests", "implementation", "verification", "registration"];
  const STRATEGY_LABEL = {
    single: "one tool", force_synthesis: "new tool", composite_tool: "composite tool",
    workflow_pattern: "learned workflow", multi_tool_sequential: "steps in sequence",
    multi_tool_composition: "independent steps",
  };
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
    planning_query: "plan", plan_complete: "plan",
    workflow_start: "flow", workflow_step: "flow", workflow_complete: "ok",
    workflow_step_tool_found: "search", workflow_step_needs_synthesis: "synth",
    workflow_step_executing: "exec", workflow_step_complete: "ok", workflow_step_failed: "fail",
    composite_created: "learn",
  };
  const stepNo = (d) => (typeof d.index === "number" ? d.index + 1 : "?");
  const seq = (tools) => (Array.isArray(tools) ? tools.join(" → ") : "");
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const WORKFLOW_STRATEGIES = new Set(["multi_tool_sequential", "multi_tool_composition", "workflow_pattern"]);
  const pct = (x) => (typeof x === "number" ? Math.round(x * 100) + "%" : "–");

  function describe(type, d) {
    switch (type) {
      case "query": return `you asked: ${clip(String(d.prompt), 300)}`;
      case "queued": return d.position > 0 ? `waiting: ${d.position} request(s) ahead` : "starting";
      case "searching": return "searching the tool library…";
      case "tool_found": {
        const sim = typeof d.similarity === "number" ? ` (similarity ${d.similarity.toFixed(2)})` : "";
        return `found ${d.composite ? "composite " : ""}tool ${d.tool_name}${sim}`;
      }
      case "no_tool_found": return "no tool fits: a new one is needed";
      case "entering_synthesis_mode": return "writing a new tool, test-first";
      case "synthesis_step": {
        let extra = "";
        if (d.step === "specification" && d.status === "complete" && d.signature) extra = `: ${d.signature}`;
        else if (d.step === "tests" && d.status === "complete" && d.test_count != null) extra = `: ${d.test_count} tests frozen`;
        else if (d.tests_passed != null) extra = `: ${d.tests_passed} passed, ${d.tests_failed ?? 0} failed`;
        if (d.evidence && d.evidence.summary && d.status !== "in_progress") extra += ` — ${d.evidence.summary}`;
        else if (Array.isArray(d.dropped_tests) && d.dropped_tests.length) extra += ` (dropped on evidence: ${d.dropped_tests.join(", ")})`;
        if (d.message) extra += ` — ${d.message}`;
        if (d.error && d.status === "failed") extra += `: ${firstLine(d.error)}`;
        return `${d.step} ${d.status}${extra}`;
      }
      case "synthesis_complete":
        return d.experimental ? `tool ${d.tool_name} registered as EXPERIMENTAL (not verified)`
          : `tool ${d.tool_name} verified and registered (${d.evidence || "tests pass"})`;
      case "synthesis_failed": return `synthesis failed at ${d.step}: ${firstLine(d.error)}`;
      case "executing": return `running ${d.tool_name} in the sandbox…`;
      case "execution_complete":
        return d.success ? `result: ${clip(asText(d.result), 200)}` : `failed (${d.error_type}): ${clip(String(d.error), 200)}`;
      case "synthesizing_response": return "writing the answer…";
      case "complete": return d.success ? "done" : "finished with an error";
      case "error": return `error: ${d.error ?? d.message ?? ""}`;
      case "planning_query": return "planning how to answer…";
      case "plan_complete": {
        const n = Array.isArray(d.sub_tasks) && d.sub_tasks.length ? ` (${d.sub_tasks.length} steps)` : "";
        return `plan: ${d.strategy}${n}${d.reasoning ? " — " + clip(String(d.reasoning), 200) : ""}`;
      }
      case "workflow_start": {
        const resumed = Array.isArray(d.resumed_steps) && d.resumed_steps.length
          ? `, ${d.resumed_steps.length} already done` : "";
        return `workflow of ${d.total} steps${resumed}`;
      }
      case "workflow_step": return `step ${stepNo(d)}/${d.total}: ${clip(String(d.task), 200)}`;
      case "workflow_step_tool_found": {
        const sim = typeof d.similarity === "number" ? ` (similarity ${d.similarity.toFixed(2)})` : "";
        return `step ${stepNo(d)}: using ${d.tool_name}${d.synthesized ? " (just written)" : sim}`;
      }
      case "workflow_step_needs_synthesis":
        return `step ${stepNo(d)}: no tool fits "${clip(String(d.task), 150)}": writing one`;
      case "workflow_step_executing":
        return `step ${stepNo(d)}: running ${d.tool_name}(${clip(asText(d.arguments ?? {}), 150)})`;
      case "workflow_step_complete":
        return `step ${stepNo(d)}: ${d.tool_name} → ${clip(asText(d.result), 200)}`;
      case "workflow_step_failed":
        return `step ${stepNo(d)} ${d.skipped ? "skipped" : "failed"}: ${clip(firstLine(d.error), 200)}`;
      case "workflow_complete":
        return d.success ? `workflow done: ${seq(d.tool_sequence)}`
          : `workflow stopped${typeof d.failed_step === "number" ? " at step " + (d.failed_step + 1) : ""}`;
      case "composite_created":
        return `learned composite tool ${d.tool_name} = ${seq(d.component_tools)} ` +
          `(seen ${d.frequency}×, ${pct(d.success_rate)} succeeded, ${d.tests_passed ?? "?"} tests passed)`;
      default: return clip(JSON.stringify(d), 200);
    }
  }

  const t0 = performance.now();
  function logLine(type, data) {
    const d = data || {};
    let cat = CATEGORY[type] || "other";
    if (type === "synthesis_step" && d.status === "failed") cat = "fail";
    if (type === "execution_complete" && !d.success) cat = "fail";
    if (type === "workflow_step_failed" && d.skipped) cat = "skip";
    if ((type === "workflow_complete" || type === "complete") && d.success === false) cat = "fail";
    const secs = ((performance.now() - t0) / 1000).toFixed(1).padStart(6, " ");
    const li = el("li", "log-line cat-" + cat,
      el("span", "log-time", secs + "s"), el("span", "log-type", type), el("span", "log-text", describe(type, d)));
    li.dataset.event = type;
    li.querySelector(".log-type").title = type;  // long workflow names are cut in the column
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
    } else if (type === "plan_complete" && WORKFLOW_STRATEGIES.has(d.strategy)) {
      $("stages").classList.add("skipped");
      $("stage-note").textContent = "— used only if a step needs a new tool";
    } else if (type === "workflow_step_needs_synthesis") {
      resetStages(`— for step ${stepNo(d)}`);
    } else if (type === "synthesis_complete") {
      $("stage-note").textContent = d.experimental ? "— EXPERIMENTAL: registered, not verified"
        : `— ${d.evidence || "verified"}; registered`;
    } else if (type === "synthesis_failed") {
      $("stage-note").textContent = "— failed";
    }
  }

  // --- plan and workflow steps --------------------------------------------------------------------
  // One row per sub-task, filled in from the workflow_* events as they arrive.
  const STATUS_LABEL = { pending: "pending", running: "running", complete: "complete", failed: "failed",
                         skipped: "skipped" };

  function resetPlan() {
    $("plan-panel").hidden = true;
    $("plan-strategy").textContent = "";
    $("plan-reasoning").textContent = "";
    $("workflow-progress").textContent = "";
    $("workflow-steps").replaceChildren();
    $("composite-note").hidden = true;
    $("composite-note").textContent = "";
  }

  function showPlan(d) {
    $("plan-panel").hidden = false;
    $("plan-strategy").textContent = STRATEGY_LABEL[d.strategy] || String(d.strategy ?? "");
    $("plan-strategy").dataset.strategy = String(d.strategy ?? "");
    $("plan-reasoning").textContent = d.reasoning ? String(d.reasoning) : "";
    if (Array.isArray(d.sub_tasks) && d.sub_tasks.length) renderSteps(d.sub_tasks);
  }

  function renderSteps(subTasks, resumed) {
    const list = $("workflow-steps");
    list.replaceChildren();
    subTasks.forEach((st, i) => {
      const task = typeof st === "string" ? st : String(st.task ?? "");
      const deps = Array.isArray(st.depends_on) && st.depends_on.length
        ? "uses step " + st.depends_on.map((x) => x + 1).join(", ") : "";
      const li = el("li", "wf-step",
        el("span", "wf-index", String(i + 1)),
        el("span", "wf-body",
          el("span", "wf-task", task),
          el("span", "wf-deps muted", deps),
          el("span", "wf-tool mono")),
        el("span", "wf-status chip"),
        el("span", "wf-result mono"));
      li.dataset.index = String(i);
      list.append(li);
      setStepStatus(li, "pending");
    });
    for (const i of resumed || []) {
      const li = stepRow(i);
      if (li) { setStepStatus(li, "complete"); li.querySelector(".wf-result").textContent = "(done earlier)"; }
    }
    $("plan-panel").hidden = false;
    updateProgress();
  }

  const stepRow = (i) => $("workflow-steps").querySelector(`li[data-index="${Number(i)}"]`);

  function setStepStatus(li, status) {
    li.dataset.status = status;
    li.className = "wf-step wf-" + status;
    li.querySelector(".wf-status").textContent = STATUS_LABEL[status] || status;
  }

  function setStep(d, status, fields) {
    const li = stepRow(d.index);
    if (!li) return;
    if (status) setStepStatus(li, status);
    if (fields.tool !== undefined) li.querySelector(".wf-tool").textContent = fields.tool;
    if (fields.result !== undefined) li.querySelector(".wf-result").textContent = fields.result;
    updateProgress();
  }

  function updateProgress() {
    const rows = [...$("workflow-steps").children];
    if (!rows.length) { $("workflow-progress").textContent = ""; return; }
    const done = rows.filter((r) => r.dataset.status === "complete").length;
    const bad = rows.filter((r) => r.dataset.status === "failed" || r.dataset.status === "skipped").length;
    $("workflow-progress").textContent = `${done}/${rows.length} steps complete` + (bad ? ` · ${bad} not` : "");
  }

  function updateWorkflow(type, d) {
    switch (type) {
      case "plan_complete": showPlan(d); break;
      case "workflow_start":
        if (Array.isArray(d.sub_tasks)) renderSteps(d.sub_tasks, d.resumed_steps);
        break;
      case "workflow_step": setStep(d, "running", {}); break;
      case "workflow_step_needs_synthesis": setStep(d, "running", { result: "writing a new tool…" }); break;
      case "workflow_step_tool_found":
        setStep(d, "running", { tool: d.synthesized ? `${d.tool_name} (new)` : String(d.tool_name) });
        break;
      case "workflow_step_executing":
        setStep(d, "running", { tool: String(d.tool_name), result: `running with ${clip(asText(d.arguments ?? {}), 120)}` });
        break;
      case "workflow_step_complete":
        setStep(d, "complete", { tool: String(d.tool_name), result: clip(asText(d.result), 300) });
        break;
      case "workflow_step_failed":
        setStep(d, d.skipped ? "skipped" : "failed",
                { result: clip(firstLine(d.error), 300), ...(d.tool_name ? { tool: String(d.tool_name) } : {}) });
        break;
      case "workflow_complete":  // the final word on every step, in case an event was missed
        for (const r of Array.isArray(d.results) ? d.results : []) {
          const li = stepRow(r.index);
          if (!li || !STATUS_LABEL[r.status]) continue;
          setStepStatus(li, r.status);
          if (r.tool_name && !li.querySelector(".wf-tool").textContent) li.querySelector(".wf-tool").textContent = r.tool_name;
          if (r.status === "complete") li.querySelector(".wf-result").textContent = clip(asText(r.result), 300);
        }
        updateProgress();
        break;
      case "composite_created":
        $("plan-panel").hidden = false;
        $("composite-note").hidden = false;
        $("composite-note").textContent = `New composite tool ${d.tool_name}: ${seq(d.component_tools)} ` +
          `has run ${d.frequency} times with ${pct(d.success_rate)} success, so it is now one verified tool.`;
        break;
      default: break;
    }
  }

  // --- response -------------------------------------------------------------------------------------
  function showResponse(msg) {
    const meta = msg.metadata || {};
    $("response-panel").hidden = false;
    const badge = $("badge");
    if (!msg.success) { badge.textContent = "FAILED"; badge.className = "badge badge-failed"; }
    else if (meta.workflow) { badge.textContent = "WORKFLOW"; badge.className = "badge badge-workflow"; }
    else if (meta.strategy === "composite_tool") { badge.textContent = "COMPOSITE TOOL"; badge.className = "badge badge-composite"; }
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
      const card = el("button", isComposite(t) ? "tool-card tool-card-composite" : "tool-card",
        el("span", "tool-name mono", t.name),
        el("span", "tool-doc", clip(t.docstring || "", 120)),
        el("span", "tool-meta",
          el("span", t.tests_verified ? "chip chip-ok" : "chip chip-warn", t.tests_verified ? "verified" : "unverified"),
          t.experimental ? el("span", "chip chip-exp", "EXPERIMENTAL") : null,
          isComposite(t) ? el("span", "chip chip-comp", "COMPOSITE") : null,
          el("span", "chip", `used ${t.usage_count}×`)));
      card.type = "button";
      card.dataset.tool = t.name;
      if (isComposite(t)) card.title = "composite of " + t.component_tools.join(", ");
      card.addEventListener("click", () => openTool(t.name));
      grid.append(card);
    }
    if (!tools.length) grid.append(el("p", "muted", "No tools yet: ask for something and one will be written."));
    setCount(tools.length);
  }

  const isComposite = (t) => Array.isArray(t.component_tools) && t.component_tools.length > 0;

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
    $("d-composite").hidden = !isComposite(t);
    $("d-components").hidden = !isComposite(t);
    $("d-component-list").replaceChildren(...(isComposite(t) ? t.component_tools : []).flatMap((name, i) => {
      const b = el("button", "small component", name);
      b.type = "button";
      b.dataset.tool = name;
      b.addEventListener("click", () => openTool(name));
      return i ? [el("span", "muted", " → "), b] : [b];
    }));
    const rate = t.usage_count ? ` · ${Math.round(t.success_rate * 100)}% succeeded` : "";
    $("d-stats").textContent = `used ${t.usage_count} time(s)${rate}` + (t.timestamp ? ` · created ${t.timestamp}` : "");
    $("d-code").textContent = t.code;
    $("d-tests").textContent = t.tests;
    $("tool-dialog").showModal();
  }

  // --- patterns: what the workflow tracker has learned -----------------------------------------------
  async function loadPatterns() {
    try {
      const [patterns, stats, rels] = await Promise.all([
        api("/api/analytics/patterns?min_frequency=2&limit=20"),
        api("/api/analytics/stats"),
        api("/api/analytics/relationships?min_confidence=0.5"),
      ]);
      renderPatterns(patterns.patterns, stats, rels.relationships);
    } catch (e) {
      $("stats").textContent = "could not load patterns: " + e.message;
    }
  }

  function renderPatterns(patterns, stats, relationships) {
    const rate = stats.execution_success_rate === null ? "" : `, ${pct(stats.execution_success_rate)} succeeded`;
    const top = stats.top_tools.length
      ? " · most used: " + stats.top_tools.slice(0, 3).map((t) => `${t.name} (${t.usage_count}×)`).join(", ") : "";
    $("stats").textContent = `${plural(stats.tool_count, "tool")} · ${stats.composite_count} composite · ` +
      `${plural(stats.pattern_count, "pattern")} · ${plural(stats.execution_count, "tool run")}${rate}${top}`;

    const list = $("patterns");
    list.replaceChildren();
    for (const p of patterns) {
      const li = el("li", "card pattern",
        el("span", "mono seq", seq(p.tool_sequence)),
        el("span", "tool-meta",
          el("span", "chip", `seen ${p.frequency}×`),
          el("span", "chip chip-ok", `${pct(p.avg_success_rate)} succeeded`),
          el("span", "chip", `confidence ${Number(p.confidence_score).toFixed(2)}`),
          p.composite_tool ? el("span", "chip chip-comp", "composite: " + p.composite_tool) : null));
      li.dataset.sequence = p.tool_sequence.join(">");
      if (p.description) li.title = p.description;
      list.append(li);
    }
    if (!patterns.length) list.append(el("li", "muted", "None yet: a multi-step request seen twice shows here."));

    const comps = $("composites");
    comps.replaceChildren();
    for (const c of stats.composites) {
      const name = el("button", "link mono", c.name);
      name.type = "button";
      name.addEventListener("click", () => openTool(c.name));
      const li = el("li", "card composite", name,
        el("span", "muted", "chains " + seq(c.component_tools)),
        el("span", "tool-meta",
          el("span", "chip", `used ${c.usage_count}×`),
          c.usage_count ? el("span", "chip chip-ok", `${pct(c.success_rate)} succeeded`) : null,
          c.pattern_frequency != null ? el("span", "chip", `pattern seen ${c.pattern_frequency}×`) : null,
          c.pattern_confidence != null ? el("span", "chip", `confidence ${Number(c.pattern_confidence).toFixed(2)}`) : null));
      li.dataset.tool = c.name;
      comps.append(li);
    }
    if (!stats.composites.length) comps.append(el("li", "muted", "None yet: a workflow seen 3 times becomes one."));

    const rels = $("relationships");
    rels.replaceChildren();
    for (const r of relationships.slice(0, 10)) {
      rels.append(el("li", "mono", `${r.tool_a} → ${r.tool_b}`,
        el("span", "muted", ` ${r.count}× · ${Number(r.confidence_score).toFixed(2)}`)));
    }
    if (!relationships.length) rels.append(el("li", "muted", "None yet."));
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

  // An Ask made before the socket is connected (page still loading, token still to be entered, server
  // restarting) waits here and is sent as soon as the connection is up.
  let waitingAsk = null;
  function sendQuery(prompt) {
    setStatus("working…");
    socket.emit("query", { prompt, session_id: sessionId || null });
  }

  socket.on("connect", () => {
    setConn(true, "connected");
    $("token-form").hidden = true;
    if (waitingAsk !== null) {
      const prompt = waitingAsk;
      waitingAsk = null;
      sendQuery(prompt);
    }
  });
  socket.on("disconnect", () => {
    setConn(false, "offline");
    if (waitingAsk === null) setPending(false);  // a request in flight was cancelled with the connection
  });
  socket.on("connect_error", (err) => {
    setConn(false, "offline");
    if (err && err.message === "unauthorized") askForToken();
  });
  socket.on("agent_event", (msg) => {
    const type = String(msg.event_type);
    const data = msg.data || {};
    logLine(type, data);
    updateStages(type, data);
    updateWorkflow(type, data);
    if (type === "queued") setStatus(data.position > 0 ? `queued: ${data.position} ahead` : "starting");
    else if (type !== "complete") setStatus("working…");
  });
  socket.on("query_complete", (msg) => {
    setPending(false);
    setStatus(msg.success ? "" : "the request failed");
    showResponse(msg);
    loadTools();
    loadPatterns();
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
    setPending(true);
    resetStages();
    resetPlan();
    logLine("query", { prompt });
    if (!socket.connected) {
      waitingAsk = prompt;
      setStatus("connecting… the request will be sent once connected");
      return;
    }
    sendQuery(prompt);
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
  $("refresh-patterns").addEventListener("click", loadPatterns);
  $("new-session").addEventListener("click", newSession);
  $("d-close").addEventListener("click", () => $("tool-dialog").close());
  $("d-delete").addEventListener("click", async () => {
    if (!dialogTool || !confirm(`Delete ${dialogTool}?`)) return;
    try {
      await api("/api/tools/" + encodeURIComponent(dialogTool), { method: "DELETE" });
      $("tool-dialog").close();
      loadTools();
      loadPatterns();
    } catch (e) { setStatus(e.message); }
  });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    token = $("token-input").value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token-form").hidden = true;
    socket.connect();
    loadTools();
    loadPatterns();
    restoreSession();
  });

  resetStages();
  loadTools();
  loadPatterns();
  restoreSession();
})();
