"""Pass 3 of the model stage: every body's link holes get their `LinkTarget` (a topic and heading
or block anchor, an asset, a tag page, or nothing), and resolved links to other topics become
mentions. Unresolved links get a did-you-mean; links to left-out drafts a warning.
"""
from __future__ import annotations

import dataclasses
import difflib
import posixpath
import re

from .diagnostics import Diagnostics
from .links import Resolver, fold
from .markdown import HOLE, HOLE_END, HOLE_RE, escape, heading_anchor
from .md_anchors import block_anchor, github_slug, github_slugs
from .model import Body, LinkTarget, Mention, TopicMap
from .model_reader import warn_ambiguous
from .source import RenderedBody


class BodyLinker:
    diags: Diagnostics
    drafts: bool
    tm: TopicMap
    resolver: Resolver | None
    draft_ids: set[str]
    _suggest_budget: int  # did-you-mean is O(n) per lookup: bounded, and cached per target
    _suggested: dict[str, str | None]
    _stems_by_letter: dict[str, list[str]] | None
    _tags: dict[str, str] | None  # fold(tag or tag prefix) -> the tag as written
    _github_slugs: dict[str, dict[str, str]]  # topic id -> GitHub slug -> anchor
    _plain_targets: dict[str, LinkTarget]  # topic id -> LinkTarget(topic id), shared by link_body

    def link_body(self, body: Body | None, source_id: str, source_is_draft: bool) -> None:
        if body is None or body.rendered is None:
            return
        relabel: dict[int, str] = {}
        # Hot loop (every link of every body): bound lookups hoisted, and the common link to a
        # published topic without heading shares one LinkTarget per target (frozen, so safe).
        targets = body.targets
        resolve = self.resolver.resolve
        topics = self.tm.topics
        merged = self.tm.merged_ids
        mentions = self.tm.mentions
        draft_ids = self.draft_ids
        warn_drafts = not source_is_draft and not self.drafts
        mentions_from = source_id in topics  # a left-out draft mentions nothing
        plain = self._plain_targets
        for link in body.rendered.links:
            if not link.target:  # [[#heading]]: this page
                targets[link.hole] = LinkTarget(source_id, None, self.anchor(source_id, link.heading))
                continue
            # each link resolves from its own file (a merged topic's body holds several files' links)
            src_path = link.span.path if link.span else body.span.path
            r = resolve(link.target, src_path, label=link.label, markdown_link=link.markdown_link)
            if r.dendron_order:  # [[label|target]]: the page shows the label, not the target
                relabel[link.hole] = link.target + (f"#{link.heading}" if link.heading else "")
            if len(r.candidates) > 1:  # r.ambiguous
                warn_ambiguous(self.diags, link.target, r, link.span)
            if r.asset:
                targets[link.hole] = LinkTarget(None, r.asset, None)
            elif r.failed:
                self.diags.note("link-target-failed", f"link target {r.failed} {self.why_left_out(r.failed)}", link.span)
                targets[link.hole] = LinkTarget()
            elif r.topic:
                target = topics.get(merged.get(r.topic, r.topic) if merged else r.topic)  # self.tm.get
                if warn_drafts and r.topic in draft_ids:
                    self.diags.warning("link-to-draft", f"{_shown(link)} links to a draft", link.span, "the link is missing from the site unless built with --drafts")
                if target is None:
                    targets[link.hole] = LinkTarget()
                    continue
                heading = r.heading or link.heading
                if heading:
                    targets[link.hole] = LinkTarget(target.id, None, self.anchor(target.id, heading))
                else:
                    lt = plain.get(target.id)
                    if lt is None:
                        lt = plain[target.id] = LinkTarget(target.id)
                    targets[link.hole] = lt
                if mentions_from and target.id != source_id:
                    mentions.append(Mention(source_id, target.id, link.span, link.embed))
            elif (tag := self.tag_page(link.target)) is not None:
                targets[link.hole] = LinkTarget(tag=tag)
            else:
                targets[link.hole] = LinkTarget()
                hint = self.suggest(link.target)
                self.diags.warning("link-unresolved", f"{_shown(link)}: no topic or file '{link.target}'", link.span, hint)
        if relabel:
            body.rendered = _relabelled(body.rendered, relabel)

    def tag_page(self, target: str) -> str | None:
        """`tags/x` (Quartz) names the page of tag x, or of a tag hierarchy x/... ."""
        head, _, rest = target.strip().lstrip("/").partition("/")
        if head.casefold() != "tags" or not rest:
            return None
        if self._tags is None:
            self._tags = {}
            for t in self.tm.topics.values():
                for tag in t.tags:
                    parts = tag.split("/")
                    for i in range(1, len(parts) + 1):
                        self._tags.setdefault(fold("/".join(parts[:i])), "/".join(parts[:i]))
        return self._tags.get(fold(rest.rstrip("/")))

    def anchor(self, topic_id: str, heading: str | None) -> str | None:
        """The id of the heading `[[page#heading]]` means: same text or our slug (heading_anchor),
        else the GitHub-style slug Foam, GitHub and Dendron write (`#whats-in-a-foam`); for
        Dendron's block ranges (`#heading,1:#*`) the heading before the comma."""
        if not heading:
            return None
        t = self.tm.get(topic_id)
        rendered = t.body.rendered if t and t.body else None
        if rendered is not None and heading.lstrip().startswith("^"):  # [[a#^block-id]]: never a heading
            return block_anchor(rendered.html, heading)
        if rendered is None or not rendered.headings:
            return None
        found = heading_anchor(rendered.headings, heading)
        if found is None:
            slugs = self._github_slugs.get(topic_id)
            if slugs is None:
                slugs = self._github_slugs[topic_id] = github_slugs(rendered.headings)
            found = slugs.get(github_slug(heading)) or slugs.get(heading.strip().casefold())
            if found is None and "," in heading:
                found = self.anchor(topic_id, heading.partition(",")[0])
        return found

    def suggest(self, target: str) -> str | None:
        """A did-you-mean for an unresolved link: a close file name with the same first letter."""
        key = fold(posixpath.basename(target))
        if key in self._suggested:
            return self._suggested[key]
        hint = None
        if self._suggest_budget > 0 and key:
            self._suggest_budget -= 1
            if self._stems_by_letter is None:
                self._stems_by_letter = {}
                for stem in sorted(self.resolver._stems):
                    self._stems_by_letter.setdefault(stem[:1], []).append(stem)
            close = difflib.get_close_matches(key, self._stems_by_letter.get(key[:1], []), n=1, cutoff=0.8)
            if close:
                c = self.resolver._stems[close[0]][0]
                hint = f"did you mean '{c.path or c.value}'?"
        self._suggested[key] = hint
        return hint


def _shown(link) -> str:
    """The link as written, for messages."""
    if link.markdown_link:
        return f"[{link.label or ''}]({link.target})"
    return f"![[{link.target}]]" if link.embed else f"[[{link.target}]]"


def _relabelled(rendered: RenderedBody, labels: dict[int, str]) -> RenderedBody:
    """`rendered` with the text of some link holes replaced (hole index -> plain text)."""

    def fill(m: re.Match) -> str:
        n = int(m.group(1))
        return HOLE.format(n) + escape(labels[n]) + HOLE_END if n in labels else m.group(0)

    return dataclasses.replace(rendered, html=HOLE_RE.sub(fill, rendered.html))
