"""The page in Debian's chromium (Playwright), against a live server with the scripted model.

Each test saves a screenshot under artifacts/screenshots/.
"""
from __future__ import annotations

import json

import pytest

from tests.core.helpers import reverse_synthesis_script, script

pytestmark = pytest.mark.browser

# Records each stage's class changes, so the test sees the strip progress, not just its end state.
STAGE_RECORDER = """
window.__stageLog = [];
new MutationObserver((records) => {
  for (const r of records) window.__stageLog.push([r.target.dataset.step, r.target.className]);
}).observe(document.getElementById("stages"), {subtree: true, attributes: true, attributeFilter: ["class"]});
"""


def _open(browser, url, **context_kw):
    context = browser.new_context(**context_kw)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#conn.conn-on", timeout=15_000)
    return context, page, errors


def _ask(page, prompt: str):
    page.fill("#prompt", prompt)
    page.click("#ask")
    page.wait_for_selector("#ask:not([disabled])", timeout=60_000)


def test_synthesis_shows_stages_answer_and_new_tool_then_reuse(browser, make_web, live_server, screenshot):
    web = make_web(reverse_synthesis_script())
    context, page, errors = _open(browser, live_server(web))
    assert page.evaluate("window.selfengSocket.io.engine.transport.name") == "websocket"
    assert page.text_content("#tool-count") == "0"
    page.evaluate(STAGE_RECORDER)

    _ask(page, "Reverse the string 'hello world'")
    log = page.evaluate("window.__stageLog")
    done = [step for step, cls in log if cls == "stage-done"]
    assert done == ["specification", "tests", "implementation", "verification", "registration"]
    for step in done:  # each stage was shown working before it was shown done
        assert log.index([step, "stage-active"]) < log.index([step, "stage-done"])
    assert page.text_content('#stages li[data-step="verification"] .stage-info') == "4 passed · 0 failed"

    assert page.text_content("#badge") == "NEW TOOL"
    assert "dlrow olleh" in page.text_content("#response-text")
    events = page.eval_on_selector_all("#log li", "els => els.map(e => e.dataset.event)")
    for name in ("searching", "no_tool_found", "entering_synthesis_mode", "synthesis_step", "synthesis_complete",
                 "executing", "execution_complete", "synthesizing_response", "complete"):
        assert name in events
    assert events.index("searching") < events.index("synthesis_complete") < events.index("complete")
    # The library shows the new tool, and its code opens in the dialog.
    page.wait_for_selector('.tool-card[data-tool="reverse_string"]')
    assert page.text_content("#tool-count") == "1"
    roles = page.eval_on_selector_all("#messages .msg-role", "els => els.map(e => e.textContent)")
    assert roles == ["user", "assistant"]
    screenshot(page, "new", full_page=True)
    page.click('.tool-card[data-tool="reverse_string"]')
    page.wait_for_selector("#tool-dialog[open]")
    assert "return s[::-1]" in page.text_content("#d-code")
    assert "def test_reverse_string_case_1" in page.text_content("#d-tests")
    assert page.text_content("#d-status") == "tests verified"
    assert page.is_hidden("#d-experimental")
    screenshot(page, "dialog")
    page.click("#d-close")

    _ask(page, "Reverse 'Python'")
    assert page.text_content("#badge") == "EXISTING TOOL"
    assert "nohtyP" in page.text_content("#response-text")
    assert page.get_attribute("#stages", "class") == "stages skipped"
    screenshot(page, "existing", full_page=True)
    assert errors == []
    context.close()


def test_a_second_browser_sees_none_of_the_firsts_events(browser, make_web, live_server, screenshot):
    web = make_web(reverse_synthesis_script())
    url = live_server(web)
    ctx_a, page_a, errors_a = _open(browser, url)
    ctx_b, page_b, errors_b = _open(browser, url)
    _ask(page_a, "Reverse the string 'hello world'")
    assert page_a.locator("#log li").count() > 10
    page_b.wait_for_function("document.getElementById('tool-count').textContent === '1'")  # broadcast only
    page_b.wait_for_timeout(300)
    assert page_b.locator("#log li").count() == 0
    assert page_b.is_hidden("#response-panel")
    assert page_b.locator("#messages .msg").count() == 0  # a's session is a's
    assert page_a.text_content("#session-id") != page_b.text_content("#session-id")
    screenshot(page_b, "other-browser", full_page=True)
    assert errors_a == errors_b == []
    ctx_a.close()
    ctx_b.close()


XSS = "<img src=x onerror=window.__xss=1>"
ECHO_SPEC = {"function_name": "echo_text", "parameters": [{"name": "s", "type": "str", "description": "text"}],
             "return_type": "str", "docstring": "Return the text unchanged, wrapped in a marker."}
ECHO_CASES = {"cases": [{"args": {"s": "a"}, "expected": "got: a"}, {"args": {"s": ""}, "expected": "got: "},
                        {"args": {"s": "<b>"}, "expected": "got: <b>"}]}
ECHO_CODE = "def echo_text(s: str) -> str:\n    return 'got: ' + s\n"


def test_markup_in_tool_and_model_output_is_shown_as_text(browser, make_web, live_server, screenshot):
    web = make_web(script(("generate_spec", ECHO_SPEC), ("generate_tests", ECHO_CASES),
                          ("generate_implementation", ECHO_CODE),
                          ("synthesize_response", f"The tool said: got: {XSS}")))
    context, page, errors = _open(browser, live_server(web))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _ask(page, f"Echo the text '{XSS}'")
    page.click("#result-details summary")
    assert page.text_content("#tool-result") == f"got: {XSS}"       # tool output
    assert XSS in page.text_content("#response-text")                 # model output
    log_text = page.text_content("#log")
    assert f"result: got: {XSS}" in log_text and f"you asked: Echo the text '{XSS}'" in log_text  # user input
    assert XSS in page.text_content("#messages")
    page.wait_for_timeout(300)
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert not [u for u in requests if u.rstrip("/").endswith("/x")]
    screenshot(page, full_page=True)
    assert errors == []
    context.close()


def test_phone_sized_screen_has_no_sideways_scroll(browser, make_web, live_server, screenshot):
    web = make_web()
    web.orchestrator.registry.add_tool("reverse_string", "def reverse_string(s: str) -> str:\n    return s[::-1]\n",
                                       "def test_it():\n    assert True\n", "Reverse a string.")
    context, page, errors = _open(browser, live_server(web), viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    page.wait_for_selector('.tool-card[data-tool="reverse_string"]')
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator("#prompt").bounding_box()
    assert box["width"] > 300  # the query box uses the width, not a desktop column
    screenshot(page, full_page=True)
    assert errors == []
    context.close()


TWO_STEPS = "Calculate 20% of 100 and also find the square root of 64"
PAIR_SEQUENCE = "calculate_percentage>calculate_square_root"
# Records each workflow row's status as it changes, so the test sees the list fill in, not just its end.
STEP_RECORDER = """
window.__stepLog = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === "attributes" && r.target.dataset.index !== undefined) {
      window.__stepLog.push([r.target.dataset.index, r.target.dataset.status]);
    }
  }
}).observe(document.getElementById("workflow-steps"),
           {subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"]});
"""


def _step_rows(page) -> list[dict]:
    return page.eval_on_selector_all("#workflow-steps li", """els => els.map(e => ({
        status: e.dataset.status, task: e.querySelector('.wf-task').textContent,
        tool: e.querySelector('.wf-tool').textContent, result: e.querySelector('.wf-result').textContent}))""")


def test_workflow_steps_fill_in_and_patterns_view_learns(browser, make_web, live_server, screenshot):
    from selfeng.seed_tools import install_seed_tools
    web = make_web()
    install_seed_tools(web.orchestrator)
    for _ in range(3):
        web.provider.enqueue("extract_arguments", json.dumps({"percentage": 20, "base": 100}))
    context, page, errors = _open(browser, live_server(web))
    page.wait_for_selector("#patterns li.muted")  # "None yet"
    assert page.locator("#patterns li.pattern").count() == 0
    assert page.is_hidden("#plan-panel")
    page.evaluate(STEP_RECORDER)

    _ask(page, TWO_STEPS)
    assert page.text_content("#plan-strategy") == "independent steps"
    assert "2 steps" in page.text_content("#plan-reasoning")
    rows = _step_rows(page)
    assert [r["status"] for r in rows] == ["complete", "complete"]
    assert [r["task"] for r in rows] == ["Calculate 20% of 100", "Find the square root of 64"]
    assert [r["tool"] for r in rows] == ["calculate_percentage", "calculate_square_root"]
    assert [r["result"] for r in rows] == ["20", "8"]
    assert page.text_content("#workflow-progress") == "2/2 steps complete"
    log = page.evaluate("window.__stepLog")
    for i in ("0", "1"):  # each row was shown pending, then running, then complete, in that order
        statuses = [s for idx, s in log if idx == i]
        assert statuses.index("pending") < statuses.index("running") < statuses.index("complete"), statuses
    # Step 2 was still pending while step 1 ran: the rows fill in one by one.
    assert log.index(["1", "running"]) > log.index(["0", "complete"])
    assert page.text_content("#badge") == "WORKFLOW"
    assert "20" in page.text_content("#response-text") and "8" in page.text_content("#response-text")

    new_events = ("planning_query", "plan_complete", "workflow_start", "workflow_step", "workflow_step_tool_found",
                  "workflow_step_executing", "workflow_step_complete", "workflow_complete")
    lines = page.eval_on_selector_all("#log li", "els => els.map(e => [e.dataset.event, e.className])")
    classes = {event: cls for event, cls in lines}
    for name in new_events:
        assert name in classes, name
        assert "cat-other" not in classes[name], (name, classes[name])  # each has its own colour
    assert "cat-plan" in classes["plan_complete"] and "cat-flow" in classes["workflow_step"]
    # Seen once: not a pattern yet.
    page.wait_for_function("document.getElementById('stats').textContent.includes('2 tool runs')")
    assert page.get_attribute("#stages", "class") == "stages skipped"  # no step needed a new tool
    assert page.locator("#patterns li.pattern").count() == 0

    _ask(page, TWO_STEPS.replace("64", "81"))  # varied inputs: composites are only built from distinct runs
    pattern = page.wait_for_selector(f'#patterns li.pattern[data-sequence="{PAIR_SEQUENCE}"]')
    text = pattern.text_content()
    assert "calculate_percentage → calculate_square_root" in text
    assert "seen 2×" in text and "100% succeeded" in text and "confidence 0.67" in text
    assert "composite:" not in text
    assert "1 pattern ·" in page.text_content("#stats")
    assert "calculate_percentage → calculate_square_root" in page.text_content("#relationships")
    screenshot(page, "pattern", full_page=True)

    # A third run promotes the pair to a composite tool: announced, listed, and flagged in the library.
    _ask(page, TWO_STEPS.replace("64", "49"))
    assert page.is_visible("#composite-note")
    note = page.text_content("#composite-note")
    assert "calculate_percentage → calculate_square_root" in note
    assert [cls for event, cls in page.eval_on_selector_all(
        "#log li", "els => els.map(e => [e.dataset.event, e.className])") if event == "composite_created"]
    name = web.orchestrator.workflow_tracker.get_pattern(PAIR_SEQUENCE.split(">"))["composite_tool"]
    assert name and name in note
    page.wait_for_selector(f'#composites li[data-tool="{name}"]')
    page.wait_for_selector(f'#patterns li.pattern[data-sequence="{PAIR_SEQUENCE}"] >> text="composite: {name}"')
    card = page.wait_for_selector(f'.tool-card[data-tool="{name}"]')
    assert "COMPOSITE" in card.text_content()
    assert "COMPOSITE" not in page.text_content('.tool-card[data-tool="reverse_string"]')
    screenshot(page, "composite", full_page=True)
    card.click()
    page.wait_for_selector("#tool-dialog[open]")
    assert page.is_visible("#d-composite")
    components = page.eval_on_selector_all("#d-component-list button", "els => els.map(e => e.textContent)")
    assert components == ["calculate_percentage", "calculate_square_root"]
    screenshot(page, "composite-dialog")
    page.click("#d-close")

    page.click("#refresh-patterns")  # on demand, too
    page.wait_for_selector(f'#patterns li.pattern[data-sequence="{PAIR_SEQUENCE}"]')
    assert web.provider.remaining() == 0

    # A failing middle step: its row says why, and the step that needed its result is skipped.
    _ask(page, "Reverse the string 'abc', then calculate the square root of -4, "
               "then calculate the factorial of that result")
    rows = _step_rows(page)
    assert [r["status"] for r in rows] == ["complete", "failed", "skipped"]
    assert rows[0]["result"] == "cba" and "negative" in rows[1]["result"] and "step 2" in rows[2]["result"]
    assert page.text_content("#workflow-progress") == "1/3 steps complete · 2 not"
    assert page.text_content("#badge") == "FAILED"
    lines = page.eval_on_selector_all("#log li", "els => els.map(e => [e.dataset.event, e.className])")
    failed = [cls for event, cls in lines if event == "workflow_step_failed"]
    assert "cat-fail" in failed[0] and "cat-skip" in failed[1]
    screenshot(page, "failed-step", full_page=True)
    assert errors == []
    context.close()
