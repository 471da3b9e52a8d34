"""A topic page's data (`TopicView`) and its sections as ready-made HTML (`TopicSections`).

A large map has thousands of topic pages, each with dozens of links, rows and badges; printing
them through Jinja loops and macros costs more than the rest of the page. So the default theme's
`topic.html` prints `topic.sections.<name>` (Markup built here, the same markup `_macros.html`
makes), while an override can still loop over the data (`topic.associations`, ...): every data
attribute is computed on first use, so a page pays only for what its template reads.

Everything from the map is escaped here (`escape`, or a link's ready-made `html`); the result is
marked safe only at the end of each section.
"""
from __future__ import annotations

from types import SimpleNamespace as NS
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from .markdown import leading_h1_math, strip_leading_h1, take_leading_h1
from .model import DEFAULT_NAME_TYPE
from .site_paths import href
from .site_values import format_value

if TYPE_CHECKING:  # pragma: no cover
    from .render import Link, SiteRenderer

MAX_TYPED_ASSOCIATIONS = 300  # an association type's page lists this many; the graph shows them all
MAX_BACKLINK_SOURCES = 200  # "Mentioned in" lists this many sources, then says how many more
_EMPTY = Markup("")


class cached_property:  # noqa: N801 - functools.cached_property without its lock (3.11 takes one per read)
    """Computed on first read, then an ordinary instance attribute."""

    def __init__(self, func):
        self.func, self.name = func, func.__name__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


def _sort_key(label: str) -> tuple[str, str]:
    return (label.casefold(), label)


def scope_html(links: list) -> str:
    """_macros.html's `scope`: ' (a, b)' after a value, or ''."""
    if not links:
        return ""
    return f' <span class="ctx-scope" title="scope">({", ".join([l.html for l in links])})</span>'


def roles_html(roles: list) -> str:
    """_macros.html's `roles`: a <dl> of role types and their players."""
    items = "".join([f'  <dt>{r.role.html}</dt><dd>{", ".join([p.html for p in r.players])}</dd>\n' for r in roles])
    return f'<dl class="ctx-roles">\n{items}</dl>'


def topic_list_html(links: list, cls: str = "ctx-topic-list") -> str:
    """_macros.html's `topic_list`."""
    items = "".join([f"  <li>{l.html}</li>\n" for l in links])
    return f'<ul class="{cls}">\n{items}</ul>'


def badge_html(l: "Link", color: str | None = None) -> str:
    """_macros.html's `type_badge`; `color`: the type's own colour (else the link's)."""
    if not l.href:
        return f'<span class="ctx-badge">{escape(l.label)}</span>'
    color = color or l.color
    style = f' style="--ctx-type-color: {escape(color)}"' if color else ""
    return f'<a class="ctx-badge" href="{escape(l.href)}"{style}>{escape(l.label)}</a>'


def row_html(others: list, scope: list, reifier: "Link | None") -> Markup:
    """One association row on a player's page: the other players, the scope, the reifier."""
    if len(others) == 1:
        html = ", ".join([p.html for p in others[0].players])
    elif not others:
        html = '<span class="ctx-muted">(no other player)</span>'
    else:
        html = '<dl class="ctx-roles">' + "".join(
            [f'<dt>{r.role.html}</dt><dd>{", ".join([p.html for p in r.players])}</dd>' for r in others]) + "</dl>"
    if scope:
        html += scope_html(scope)
    if reifier is not None and reifier.href:
        html += f' · <a class="ctx-reifier" href="{escape(reifier.href)}">about this</a>'
    return Markup(html)


def note_title(note) -> str | None:
    """A note's title: its file's `title:`, else the H1 its body opens with."""
    if note.title:
        return note.title
    rendered = note.rendered
    if rendered is None or not rendered.first_h1 or not rendered.html.lstrip().startswith("<h1"):
        return None
    return rendered.first_h1


class TopicView:
    """`topic` in topic.html (docs/themes.md lists the attributes)."""

    def __init__(self, renderer: "SiteRenderer", path: str, tid: str, root: str):
        t = renderer.index.topics[tid]
        self._r, self._t, self._path, self._root = renderer, t, path, root
        self._link = renderer.link_table(root)
        self.id, self.draft, self.implicit = tid, t.draft, t.implicit
        # a topic only named in front matter (a role or occurrence type) reads as the schema's label
        self.name = t.name if t.names else renderer.label(tid)
        self.source = t.source or ""

    def _links(self, ids, sort: bool = True) -> list:
        link = self._link
        out = [link(x) for x in ids]
        if sort and len(out) > 1:
            out.sort(key=lambda l: _sort_key(l.label))
        return out

    def _roles(self, roles) -> list:
        """Roles grouped by role type, in order: [{role, players}]."""
        link = self._link
        if len(roles) == 1:  # the other side of a binary association: most rows on most pages
            r = roles[0]
            return [NS(role=link(r.type), players=[link(r.player)])]
        groups: dict[str, NS] = {}
        for r in roles:
            g = groups.get(r.type)
            if g is None:
                g = groups[r.type] = NS(role=link(r.type), players=[])
            g.players.append(link(r.player))
        return list(groups.values())

    def _association(self, a) -> NS:
        return NS(type=self._link(a.type), roles=self._roles(a.roles), scope=self._links(a.scope),
                  reifier=self._link(a.reifier) if a.reifier else None)

    # --- data ----------------------------------------------------------------------------
    @cached_property
    def types(self) -> list:
        return self._links(self._r.index.types_of.get(self.id, ()), sort=False)

    @cached_property
    def names(self) -> list:
        link = self._link
        return [NS(value=n.value, type=link(n.type) if n.type != DEFAULT_NAME_TYPE else None,
                   scope=self._links(n.scope), variants=[NS(value=v.value, scope=self._links(v.scope)) for v in n.variants])
                for n in self._t.names]

    @cached_property
    def subject_identifiers(self) -> list:
        return [self._r._iri(self._path, i) for i in self._t.subject_identifiers]

    @cached_property
    def subject_locators(self) -> list:
        return [self._r._iri(self._path, i) for i in self._t.subject_locators]

    @cached_property
    def _body_and_title_id(self) -> tuple[Markup, str | None, Markup | None]:
        # A body that opens with the title as its H1 would show the title twice: the page's own
        # <h1> stands in for it, with its id (`title_id`), so a link to that heading still lands,
        # and with its typeset math (`title_html`), if it has any.
        full = self._r.body_html(self._t.body, self._path, (self.id,))
        html, title_id = take_leading_h1(full, self._t.name)
        math = leading_h1_math(full) if len(html) != len(full) else None
        return Markup(html), title_id, Markup(math) if math else None

    @property
    def body(self) -> Markup:
        return self._body_and_title_id[0]

    @property
    def title_id(self) -> str | None:
        """The id of the H1 the body opened with, when the page's own <h1> took its place."""
        return self._body_and_title_id[1]

    @property
    def title_html(self) -> Markup:
        """The page's title: its name, or the H1 it stands in for when that holds math."""
        return self._body_and_title_id[2] or escape(self.name)

    @cached_property
    def headings(self) -> list:
        b = self._t.body
        return list(b.rendered.headings) if b and b.rendered else []

    def _occurrences_and_notes(self) -> tuple[list, list]:
        groups: dict[str, NS] = {}
        notes = []
        t, link, path = self._t, self._link, self._path
        local = lambda v: href(path, v)  # noqa: E731
        for o in t.occurrences:
            if o.note is not None:
                # each note's ids get their own prefix: n1-h-intro cannot clash with the body's h-intro
                n = len(notes) + 1
                title = note_title(o.note)
                html = self._r.body_html(o.note, path, (self.id,), f"n{n}-")
                notes.append(NS(type=link(o.type), scope=self._links(o.scope), title=title, anchor=f"ctx-note-{n}",
                                html=Markup(strip_leading_h1(html, title)) if title else html))
                continue
            group = groups.get(o.type)
            if group is None:
                group = groups[o.type] = NS(type=link(o.type), values=[])
            html = format_value(o.value, o.datatype, local, alt=f"{t.name}: {self._r.label(o.type)}")
            group.values.append(NS(html=html, scope=self._links(o.scope) if o.scope else []))
        return list(groups.values()), notes

    @cached_property
    def occurrences(self) -> list:
        occ, self.__dict__["notes"] = self._occurrences_and_notes()
        return occ

    @cached_property
    def notes(self) -> list:
        self.__dict__["occurrences"], notes = self._occurrences_and_notes()
        return notes

    @cached_property
    def associations(self) -> list:
        r, tid, link = self._r, self.id, self._link
        groups: dict[tuple[str, str], NS] = {}
        for a, i in r.index.by_player.get(tid, ()):
            my_role = a.roles[i].type
            key = (a.type, my_role)
            g = groups.get(key)
            if g is None:
                text, direction = r.reading(a, my_role)
                g = groups[key] = NS(type=link(a.type), role=link(my_role), reading=text, direction=direction,
                                     from_schema=r.has_reading(a.type, my_role), rows=[])
            roles = a.roles
            others = self._roles(roles[:i] + roles[i + 1:])  # a.others(tid): i is tid's first role (SiteIndex)
            scope = self._links(a.scope) if a.scope else []
            reifier = link(a.reifier) if a.reifier else None
            g.rows.append(NS(others=others, scope=scope, reifier=reifier, html=row_html(others, scope, reifier)))
        return sorted(groups.values(), key=lambda g: (_sort_key(g.reading), g.type.id))

    @cached_property
    def reifies(self) -> NS | None:
        a = self._r.index.reifies.get(self.id)
        return self._association(a) if a is not None else None

    @cached_property
    def instances(self) -> list:
        return self._links(self._r.index.instances_of.get(self.id, ()))

    @cached_property
    def subtypes(self) -> list:
        return self._links(self._r.index.subtypes_of.get(self.id, ()))

    @cached_property
    def supertypes(self) -> list:
        return self._links(self._r.index.supertypes_of.get(self.id, ()))

    @cached_property
    def typed_associations(self) -> list:
        return [self._association(a) for a in self._r.index.by_type.get(self.id, ())[:MAX_TYPED_ASSOCIATIONS]]

    @cached_property
    def typed_associations_total(self) -> int:
        return len(self._r.index.by_type.get(self.id, ()))

    @cached_property
    def backlinks(self) -> list:
        label, link = self._r.label, self._link
        sources = sorted(self._r.index.backlinks.get(self.id, {}).items(), key=lambda kv: _sort_key(label(kv[0])))
        return [NS(source=link(src), contexts=contexts) for src, contexts in sources[:MAX_BACKLINK_SOURCES]]

    @cached_property
    def backlinks_total(self) -> int:
        return len(self._r.index.backlinks.get(self.id, {}))

    @cached_property
    def tags(self) -> list:
        paths, path = self._r._tag_paths, self._path
        return [NS(label=tag, href=href(path, paths[tag])) for tag in self._t.tags if tag in paths]

    @cached_property
    def sections(self) -> "TopicSections":
        return TopicSections(self)


class TopicSections:
    """The default theme's topic page sections as Markup, each "" when the page has none."""

    def __init__(self, topic: TopicView):
        self._topic = topic

    @cached_property
    def header(self) -> Markup:
        t = self._topic
        out = ['<header class="ctx-topic-header">\n']
        if t.types:
            out.append(f'  <p class="ctx-types">{"".join([t._r.badge(t._root, l) + " " for l in t.types])}</p>\n')
        title_id = t.title_id
        out.append(f'  <h1 id="{escape(title_id)}">' if title_id else "  <h1>")
        out.append(f"{t.title_html}</h1>\n")
        if t.draft:
            out.append('  <p class="ctx-draft">Draft</p>\n')
        names = t.names
        if any(n.value != t.name or n.scope for n in names):
            out.append('  <dl class="ctx-names">\n')
            for n in names:
                out.append(f'    <dt>{n.type.html if n.type else "name"}</dt>\n'
                           f"    <dd>{escape(n.value)}{scope_html(n.scope)}")
                if n.variants:
                    items = "".join([f"<li>{escape(v.value)}{scope_html(v.scope)}</li>" for v in n.variants])
                    out.append(f'\n      <ul class="ctx-variants">{items}</ul>\n    ')
                out.append("</dd>\n")
            out.append("  </dl>\n")
        if t.subject_identifiers or t.subject_locators:
            out.append('  <ul class="ctx-identifiers">\n')
            for label, iris in (("subject", t.subject_identifiers), ("is", t.subject_locators)):
                for i in iris:
                    shown = (f'<a href="{escape(i.href)}" rel="nofollow">{escape(i.text)}</a>' if i.href
                             else f"<code>{escape(i.text)}</code>")
                    out.append(f'    <li><span class="ctx-muted">{label}</span> {shown}</li>\n')
            out.append("  </ul>\n")
        if t.tags:
            items = "".join([f'<li><a href="{escape(tag.href)}">#{escape(tag.label)}</a></li>' for tag in t.tags])
            out.append(f'  <ul class="ctx-tags" aria-label="Tags">{items}</ul>\n')
        out.append("</header>\n")
        return Markup("".join(out))

    @cached_property
    def reifies(self) -> Markup:
        a = self._topic.reifies
        if a is None:
            return _EMPTY
        return Markup(
            '<section class="ctx-reifies" aria-labelledby="ctx-reifies-title">\n'
            f'  <h2 id="ctx-reifies-title">Association: {a.type.html}{scope_html(a.scope)}</h2>\n'
            f"  {roles_html(a.roles)}\n</section>\n")

    @cached_property
    def occurrences(self) -> Markup:
        groups = self._topic.occurrences
        if not groups:
            return _EMPTY
        out = ['<section class="ctx-occurrences" aria-labelledby="ctx-occurrences-title">\n'
               '  <h2 id="ctx-occurrences-title">Facts</h2>\n  <dl>\n']
        for g in groups:
            out.append(f"    <dt>{g.type.html}</dt>\n")
            out += [f"    <dd>{o.html}{scope_html(o.scope)}</dd>\n" for o in g.values]
        out.append("  </dl>\n</section>\n")
        return Markup("".join(out))

    @cached_property
    def notes(self) -> Markup:
        notes = self._topic.notes
        if not notes:
            return _EMPTY
        out = ['<section class="ctx-notes" aria-labelledby="ctx-notes-title">\n'
               '  <h2 id="ctx-notes-title">Notes</h2>\n']
        for n in notes:
            if n.title:  # the note's title as its heading, its type and scope beneath
                head = (f'    <h3 id="{n.anchor}">{escape(n.title)}</h3>\n'
                        f'    <p class="ctx-note-meta ctx-muted">{n.type.html}{scope_html(n.scope)}</p>\n')
            else:
                head = f'    <h3 id="{n.anchor}">{n.type.html}{scope_html(n.scope)}</h3>\n'
            out.append(f'  <article class="ctx-note">\n{head}    {n.html}\n  </article>\n')
        out.append("</section>\n")
        return Markup("".join(out))

    @cached_property
    def associations(self) -> Markup:
        groups = self._topic.associations
        if not groups:
            return _EMPTY
        out = ['<section class="ctx-associations" aria-labelledby="ctx-associations-title">\n'
               '  <h2 id="ctx-associations-title">Relations</h2>\n']
        for g in groups:
            role = "" if g.from_schema else f' <span class="ctx-muted">as</span> {g.role.html}'
            rows = "".join([f"      <li>{row.html}</li>\n" for row in g.rows])
            out.append(f'  <div class="ctx-assoc-group ctx-{g.direction}">\n'
                       f'    <h3><span class="ctx-reading">{escape(g.reading)}</span>{role}</h3>\n'
                       f"    <ul>\n{rows}    </ul>\n  </div>\n")
        out.append("</section>\n")
        return Markup("".join(out))

    @cached_property
    def typing(self) -> Markup:
        t = self._topic
        if not (t.supertypes or t.subtypes or t.instances):
            return _EMPTY
        out = ['<section class="ctx-typing" aria-labelledby="ctx-typing-title">\n'
               '  <h2 id="ctx-typing-title">Type</h2>\n']
        if t.supertypes:
            out.append(f"  <h3>Subtype of</h3>{topic_list_html(t.supertypes)}\n")
        if t.subtypes:
            out.append(f"  <h3>Subtypes</h3>{topic_list_html(t.subtypes)}\n")
        if t.instances:
            out.append(f'  <h3>Instances <span class="ctx-count">{len(t.instances)}</span></h3>'
                       f'{topic_list_html(t.instances, "ctx-topic-list ctx-columns")}\n')
        out.append("</section>\n")
        return Markup("".join(out))

    @cached_property
    def typed_associations(self) -> Markup:
        t = self._topic
        shown = t.typed_associations
        if not shown:
            return _EMPTY
        out = ['<section class="ctx-typed-associations" aria-labelledby="ctx-typed-title">\n'
               f'  <h2 id="ctx-typed-title">Associations of this type <span class="ctx-count">{t.typed_associations_total}</span></h2>\n'
               "  <ol>\n"]
        for a in shown:
            reifier = (f' <a class="ctx-reifier" href="{escape(a.reifier.href)}">{escape(a.reifier.label)}</a>'
                       if a.reifier else "")
            out.append(f"    <li>{roles_html(a.roles)}{scope_html(a.scope)}{reifier}</li>\n")
        out.append("  </ol>\n")
        more = t.typed_associations_total - len(shown)
        if more > 0:
            out.append(f'  <p class="ctx-muted">… and {more} more (see the <a href="{escape(t._root)}graph.html">graph</a>).</p>\n')
        out.append("</section>\n")
        return Markup("".join(out))

    @cached_property
    def backlinks(self) -> Markup:
        backlinks = self._topic.backlinks
        if not backlinks:
            return _EMPTY
        out = ['<section class="ctx-backlinks" aria-labelledby="ctx-backlinks-title">\n'
               '  <h2 id="ctx-backlinks-title">Mentioned in</h2>\n  <ul>\n']
        for b in backlinks:
            contexts = "".join([f'<blockquote class="ctx-context">{escape(c)}</blockquote>' for c in b.contexts])
            out.append(f"    <li>{b.source.html}{contexts}</li>\n")
        out.append("  </ul>\n")
        more = self._topic.backlinks_total - len(backlinks)
        if more > 0:
            out.append(f'  <p class="ctx-muted">… and {more} more (see the <a href="{escape(self._topic._root)}graph.html">graph</a>).</p>\n')
        out.append("</section>\n")
        return Markup("".join(out))
