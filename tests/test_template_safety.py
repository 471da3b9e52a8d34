"""A map's templates/ are content: they render sandboxed, read nothing from outside the map, and
their faults are reported once."""
from __future__ import annotations

from pathlib import Path

from support import problems, run_ctxgen
from test_serve_support import get, running, write_map


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


OUTSIDE = "  hint: copy the files into the map, or link to a place inside it"


def test_a_template_symlinked_out_of_the_map_is_never_read(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MYSECRET_TOKEN=hunter2\n")
    root = _map(tmp_path, '{% extends "theme:topic.html" %}\n{% block topic_footer %}'
                          '<pre>{% include "leak.html" ignore missing %}</pre>{% endblock %}\n')
    (root / "templates/leak.html").symlink_to(secret)
    proc = run_ctxgen("build", root, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert problems(proc.stderr) == [
        f"templates/leak.html:1:1: warning[symlink-outside]: symlink to '{secret}' points outside the map; skipped"]
    assert OUTSIDE in proc.stderr
    pages = [p for p in (tmp_path / "out").rglob("*.html")]
    assert pages and not any(b"hunter2" in p.read_bytes() for p in pages)
    # without `ignore missing` it is a missing template, not the file
    (root / "templates/topic.html").write_text('{% extends "theme:topic.html" %}\n'
                                               '{% block topic_footer %}{% include "leak.html" %}{% endblock %}\n')
    proc = run_ctxgen("build", root, "-o", tmp_path / "out2")
    assert proc.returncode == 1 and "error[template-not-found]: template not found: leak.html" in proc.stderr
    assert "hunter2" not in proc.stderr and not (tmp_path / "out2").exists()


def test_a_templates_folder_symlinked_out_of_the_map_is_not_used(tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "topic.html").write_text('{% extends "theme:topic.html" %}\n'
                                        '{% block topic_footer %}<p>FROM OUTSIDE</p>{% endblock %}\n')
    root = tmp_path / "map"
    root.mkdir()
    (root / "t.md").write_text("# T\n")
    (root / "templates").symlink_to(outside)
    proc = run_ctxgen("build", root, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert problems(proc.stderr) == [  # discovery and the loader see it: reported once
        f"templates:1:1: warning[symlink-outside]: symlink to '{outside}' points outside the map; skipped"]
    assert "FROM OUTSIDE" not in (tmp_path / "out/t/index.html").read_text()


def test_a_template_symlinked_inside_the_map_still_works(tmp_path: Path):
    root = _map(tmp_path, "")
    (root / "templates/mine").mkdir()
    (root / "templates/mine/topic.html").write_text('{% extends "theme:topic.html" %}\n'
                                                    '{% block topic_footer %}<p class="mine">mine</p>{% endblock %}\n')
    (root / "templates/topic.html").unlink()
    (root / "templates/topic.html").symlink_to("mine/topic.html")
    proc = run_ctxgen("build", root, "-o", tmp_path / "out", "--strict")
    assert proc.returncode == 0 and problems(proc.stderr) == [], proc.stderr
    assert '<p class="mine">mine</p>' in (tmp_path / "out/t1/index.html").read_text()


def test_serve_never_reads_a_template_from_outside_the_map(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MYSECRET_TOKEN=hunter2\n")
    m = write_map(tmp_path / "map")
    (m / "templates").mkdir()
    (m / "templates/topic.html").write_text('{% extends "theme:topic.html" %}\n{% block topic_footer %}'
                                            '<p class="mine">{% include "leak.html" ignore missing %}</p>{% endblock %}\n')
    (m / "templates/leak.html").symlink_to(secret)
    with running(m) as s:
        status, _, body = get(s, "/people/ada/")
        assert status == 200 and b'<p class="mine"></p>' in body and b"hunter2" not in body
        assert any(d.code == "symlink-outside" and d.span.path == "templates/leak.html" for d in s.site.diagnostics)
