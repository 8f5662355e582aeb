"""User-facing Chinese says things in Chinese: workflow refusals name the step, timeline rows have zh labels.

The English codes (``submit``, ``attachment.upload``) stay in ``code`` / ``action`` for programs; ``detail`` and
``label`` are for people.
"""

from __future__ import annotations

import ast
import importlib
import io
import pkgutil
import re
from pathlib import Path

import httpx

import programmes.workflows
from app.auth.tables import Role
from app.workflow.definition import Workflow
from app.workflow.engine import REFUSALS_ZH, refusal_message
from programmes.applications.timeline import UNLABELLED, label_of
from tests import factories
from tests.factories.applications import draft, submitted
from tests.factories.http import ok

ROOT = Path(__file__).resolve().parents[3]
HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z_]{2,}")


def _all_workflows() -> list[Workflow]:
    found: dict[str, Workflow] = {}
    for module in pkgutil.iter_modules(programmes.workflows.__path__):
        for value in vars(importlib.import_module(f"programmes.workflows.{module.name}")).values():
            if isinstance(value, Workflow):
                found[value.name] = value
    return list(found.values())


def _is_chinese(text: str) -> bool:
    return bool(HAN.search(text)) and not ENGLISH_WORD.search(text)


def test_every_workflow_state_and_action_has_a_chinese_label() -> None:
    workflows = _all_workflows()
    assert len(workflows) >= 15, [w.name for w in workflows]
    for workflow in workflows:
        for state, label in workflow.states.items():
            assert _is_chinese(label), (workflow.name, state, label)
        for step in workflow.transitions:
            assert _is_chinese(step.label_zh), (workflow.name, step.action, step.label_zh)


def test_every_refusal_of_every_workflow_reads_in_chinese() -> None:
    for workflow in _all_workflows():
        for state in workflow.states:
            for action in [*(s.action for s in workflow.transitions), "no_such_action"]:
                for refusal in REFUSALS_ZH:
                    message = refusal_message(workflow, state, action, refusal)
                    assert _is_chinese(message), (workflow.name, state, action, message)
                    assert workflow.states[state] in message
                    step = workflow.transition_for(action)
                    if step is not None:
                        assert step.label_zh in message


def _audit_actions_on_applications() -> set[str]:
    """Every audit action the code writes about an application (what the timeline shows), read from the source."""
    all_steps = {f"{w.name}.{s.action}" for w in _all_workflows() for s in w.transitions}
    application_workflows = {
        f"{w.name}.{s.action}" for w in programmes.workflows.APPLICATION_WORKFLOWS.values() for s in w.transitions
    }
    actions: set[str] = set()
    for folder in ("app", "programmes", "scoring"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = getattr(node, "func", None) and getattr(node.func, "attr", getattr(node.func, "id", ""))
                if not isinstance(node, ast.Call) or name not in ("record", "audit"):
                    continue
                keywords = {k.arg: k.value for k in node.keywords}
                if name == "audit":  # a unit of work's uow.audit(action, object_type, object_id, …)
                    keywords |= dict(zip(("action", "object_type"), node.args, strict=False))
                if "action" not in keywords or "object_type" not in keywords:
                    continue
                object_type, action = keywords["object_type"], keywords["action"]
                if ast.unparse(object_type) == "table._meta.tablename":  # the workflow engine
                    actions |= application_workflows
                elif not (isinstance(object_type, ast.Constant) and object_type.value == "application"):
                    continue
                elif isinstance(action, ast.Constant):
                    actions.add(action.value)
                else:  # an f-string such as f"review_assignment.{action}.note": every workflow step it can name
                    assert isinstance(action, ast.JoinedStr), (path, ast.unparse(action))
                    pattern = "".join(
                        re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z_]+" for part in action.values
                    )
                    named = {c for s in all_steps for c in (s, f"{s}.note") if re.fullmatch(pattern, c)}
                    assert named, (path, pattern)
                    actions |= named
    return actions


def test_every_audit_action_in_the_timeline_has_a_chinese_label() -> None:
    actions = _audit_actions_on_applications()
    assert {"attachment.upload", "application.create", "contest_application.submit"} <= actions
    for action in sorted(actions):
        assert label_of(action) != UNLABELLED and _is_chinese(label_of(action)), action


async def test_a_refused_step_and_the_timeline_speak_chinese(client: httpx.AsyncClient) -> None:
    officer = await factories.user(Role.officer)
    org_id, member = await factories.organisation()
    call = await factories.contest_round(officer)
    application = await submitted(client, member, org_id, call["id"])
    again = await client.post(f"/applications/{application['id']}/submit", headers=member.headers)
    assert again.status_code == 409 and again.json()["code"] == "transition_invalid_state"
    assert again.json()["detail"] == "当前状态下不能执行此操作（当前状态：已提交，操作：提交申报）"

    other = await draft(client, member, org_id, (await factories.contest_round(officer))["id"])
    uploaded = await client.post(
        f"/applications/{other['id']}/attachments",
        headers=member.headers,
        files={"file": ("budget.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    timeline = ok(await client.get(f"/applications/{other['id']}/timeline", headers=member.headers))
    assert [t["label"] for t in timeline] == ["创建申报草稿", "上传附件"]
    assert all(_is_chinese(t["label"]) and _is_chinese(t["actor"]) for t in timeline)
