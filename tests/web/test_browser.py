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
