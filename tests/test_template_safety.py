"""A map's templates/ are content: they render sandboxed, and their faults are reported once."""
from __future__ import annotations

from pathlib import Path

from support import run_ctxgen


def _map(tmp_path: Path, template: str, topics: int = 3) -> Path:
    root = tmp_path / "map"
    (root / "templates").mkdir(parents=True)
    for i in range(topics):
        (root / f"t{i}.md").write_text(f"# Topic {i}\n")
    (root / "templates/topic.html").write_text(template)
    return root


def test_a_template_cannot_reach_python_internals(tmp_path: Path):
    marker = tmp_path / "pwned"
    root = _map(tmp_path, '{% extends "theme:topic.html" %}\n{% block topic_footer %}'
                          "{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch "
                          f"{marker}') }}}}{{% endblock %}}\n")
    proc = run_ctxgen("build", root, "-o", tmp_path / "out")
    assert proc.returncode == 1
    assert not marker.exists()
    assert "templates/topic.html:2:1: error[template-unsafe]: access to attribute '__init__'" in proc.stderr
    assert "(on 3 pages, first t0/index.html)" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_template_cannot_build_a_huge_string_or_number(tmp_path: Path):
    root = _map(tmp_path, '{% extends "theme:topic.html" %}\n{% block topic_footer %}'
                          "{{ ('a' * 10**9) | length }}{{ 2 ** 10**9 }}{% endblock %}\n")
    proc = run_ctxgen("build", root, "-o", tmp_path / "out", timeout=60)
    assert proc.returncode == 1
    assert "templates/topic.html:2:1: error[template-unsafe]: the result would have more than 1,000,000 items" in proc.stderr
    small = _map(tmp_path / "b", '{% extends "theme:topic.html" %}\n{% block topic_footer %}'
                                 '<p class="mine">{{ "ab" * 3 }}{{ 2 ** 10 }}{{ [0] * 4 }}</p>{% endblock %}\n')
    proc = run_ctxgen("build", small, "-o", tmp_path / "out2")
    assert proc.returncode == 0, proc.stderr
    assert '<p class="mine">ababab1024[0, 0, 0, 0]</p>' in (tmp_path / "out2/t1/index.html").read_text()


def test_ordinary_overrides_still_work_in_the_sandbox(tmp_path: Path):
    root = _map(tmp_path, '{% extends "theme:topic.html" %}\n'
                          '{% block topic_footer %}<p class="mine">{{ topic.name | upper }}</p>{% endblock %}\n')
    proc = run_ctxgen("build", root, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert '<p class="mine">TOPIC 1</p>' in (tmp_path / "out/t1/index.html").read_text()


def test_a_template_that_extends_itself_is_one_error_with_the_fix(tmp_path: Path):
    root = _map(tmp_path, '\n  {% extends "topic.html" %}\n')
    proc = run_ctxgen("build", root, "-o", tmp_path / "out")
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if "error[" in line]
    assert lines == ["templates/topic.html:2:3: error[template-extends-itself]: templates/topic.html extends itself"]
    assert 'hint: to build on the theme\'s template, write {% extends "theme:topic.html" %}' in proc.stderr


def test_an_undefined_field_is_reported_once_in_the_authors_terms(tmp_path: Path):
    root = _map(tmp_path, '{% extends "theme:topic.html" %}\n{% block topic_footer %}{{ topic.nonexistent.x }}{% endblock %}\n')
    proc = run_ctxgen("build", root, "-o", tmp_path / "out")
    errors = [line for line in proc.stderr.splitlines() if "error[" in line]
    assert errors == ["templates/topic.html:2:1: error[template-undefined]: TopicView has no attribute 'nonexistent' "
                      "(on 3 pages, first t0/index.html)"]
