"""Associations: the short form in a topic's `associations:` (`{type: partner(s)}`, a binary
association with the schema's two role types), full entries (`roles:`, or `role:` + `player:`),
and association files (`association:` + `roles:`), which reify the association they state.
"""
from __future__ import annotations

import difflib
from typing import Any

from .config import AssociationType, Config
from .diagnostics import Span
from .model import Association, Role, Topic, TopicMap
from .model_keys import ASSOCIATION_ENTRY_KEYS, ROLE_ENTRY_KEYS
from .model_reader import FrontMatterReader
from .model_values import a_kind, item_span, key_span, value_span


_DEFAULT_ROLES = AssociationType("").roles  # what an association type without `roles:` has (config.py)


class AssociationReader(FrontMatterReader):
    config: Config
    tm: TopicMap
    _role_types: dict[str, tuple[str, ...]]  # association type -> role_types(type)

    def role_types(self, atype: str) -> list[str]:
        roles = self._role_types.get(atype)  # asked for each association entry: once per type
        if roles is None:
            schema = self.config.schema.association_types.get(atype)
            roles = list(schema.roles) if schema and schema.roles else _DEFAULT_ROLES
            roles = self._role_types[atype] = tuple(roles if len(roles) >= 2 else roles + ["object"])
        return list(roles)

    def partner_role(self, atype: str, role: str) -> str:
        """The role the other player of a binary entry plays when this topic plays `role`: the
        schema's other role type (the second when `role` is not the schema's); with no schema
        `object`, or `subject` when `role` is `object`."""
        if atype in self.config.schema.association_types:
            roles = self.role_types(atype)
            if role in roles[:2]:
                rest = list(roles[:2])
                rest.remove(role)
                return rest[0]
            return roles[1]
        return "subject" if role == "object" else "object"

    def check_role(self, atype: str, rtype: str, written: Any, where: str, span: Span) -> None:
        """A role type the schema does not list for `atype` (when it lists any) is likely a typo,
        unless it is a role type of the schema's `role_types` or a topic with a file."""
        schema = self.config.schema.association_types.get(atype)
        if schema is None or not schema.roles or schema.roles == _DEFAULT_ROLES or rtype in schema.roles:
            return
        if rtype in self.config.schema.role_types or (self.resolver and self.resolver.exact(rtype)):
            return
        roles = list(dict.fromkeys(schema.roles))
        close = difflib.get_close_matches(str(written), roles, n=1, cutoff=0.6)
        msg = f"{where}: '{written}' is not a role of '{atype}' ({', '.join(roles)})"
        if close:
            msg += f", did you mean '{close[0]}'?"
        self.diags.warning("unknown-role", msg, span, "the roles are declared in ctxgen.yaml: schema.association_types")

    def associations(self, topic: Topic, v: Any, span: Span, path: str) -> None:
        for atype_raw, value, where, sp, tsp in self.typed_entries(v, "associations", span):
            atype = self.ref(atype_raw, f"{where}.type", tsp, path)
            if atype is None:
                continue
            if isinstance(value, dict):
                self.full_association(topic, atype, value, where, sp, path)
                continue
            first, second = self.role_types(atype)[:2]
            if isinstance(value, list) and any(isinstance(p, dict) for p in value):
                for i, item in enumerate(value):  # `wrote: [{roles: ...}, partner, ...]`
                    isp, iwhere = item_span(value, i, sp), f"{where}[{i}]"
                    if isinstance(item, dict):
                        self.full_association(topic, atype, item, iwhere, isp, path)
                    else:
                        self.binary(topic, atype, first, second, item, iwhere, isp, path)
                continue
            for player, psp in self.text_list(value, where, sp):
                self.binary(topic, atype, first, second, player, where, psp, path)

    def binary(self, topic: Topic, atype: str, mine: str, theirs: str, player: Any, where: str, span: Span,
               path: str) -> Association | None:
        pid = self.ref(player, where, span, path)
        if not pid:
            return None
        return self.tm.add_association(Association(atype, [Role(mine, topic.id, span=span), Role(theirs, pid, span=span)], span=span))

    def full_association(self, topic: Topic | None, atype: str, entry: Any, where: str, span: Span, path: str,
                         reifier: str | None = None) -> Association | None:
        if topic is not None:
            self.unknown_keys(entry, ASSOCIATION_ENTRY_KEYS, where, span)
        if "player" in entry:  # the binary full-entry form {type, role, player}
            if "roles" in entry:
                self.diags.error("conflicting-keys", f"{where}: give either `player:` (binary) or `roles:`, not both", span)
                return None
            return self.binary_entry(topic, atype, entry, where, span, path)
        roles = self.roles(entry.get("roles"), f"{where}.roles", value_span(entry, "roles", span), path, atype)
        if roles is None:
            return None
        if topic is not None and all(r.player != topic.id for r in roles):
            role_type = self.role_types(atype)[0]
            if "role" in entry:
                rsp = value_span(entry, "role", span)
                role_type = self.ref(entry["role"], f"{where}.role", rsp, path) or role_type
                self.check_role(atype, role_type, entry["role"], f"{where}.role", rsp)
            roles.insert(0, Role(role_type, topic.id, span=span))
        if not roles:
            self.diags.error("missing-value", f"{where}: an association needs `roles:`", span)
            return None
        scope, sspans = self.scope(entry.get("scope"), f"{where}.scope", value_span(entry, "scope", span), path)
        assoc = Association(atype, roles, scope, reifier=reifier, span=span, scope_spans=sspans)
        self.statement_keys(assoc, entry, where, span, path)
        return self.tm.add_association(assoc)

    def binary_entry(self, topic: Topic | None, atype: str, entry: Any, where: str, span: Span, path: str) -> Association | None:
        """`{type: part-of, role: part, player: x}`: this topic plays `role` (default: the first role
        type), x plays the partner role (`partner_role`). A list of players makes one association each."""
        if topic is None:
            return None
        mine = self.role_types(atype)[0]
        if "role" in entry:
            rsp = value_span(entry, "role", span)
            rwhere = f"{where}.role"
            mine = self.ref(entry["role"], rwhere, rsp, path) or mine
            self.check_role(atype, mine, entry["role"], rwhere, rsp)
        theirs = self.partner_role(atype, mine)
        psp = value_span(entry, "player", span)
        pwhere = f"{where}.player"
        players = self.text_list(entry["player"], pwhere, psp)
        if not players:
            self.diags.error("missing-value", f"{pwhere}: names no topic", psp)
            return None
        scope, sspans = (self.scope(entry["scope"], f"{where}.scope", value_span(entry, "scope", span), path)
                         if "scope" in entry else (frozenset(), None))
        assoc = None
        for player, sp in players:
            pid = self.ref(player, pwhere, sp, path)
            if pid:
                assoc = Association(atype, [Role(mine, topic.id, span=span), Role(theirs, pid, span=sp)], scope, span=span,
                                    scope_spans=sspans)
                self.statement_keys(assoc, entry, where, span, path)
                self.tm.add_association(assoc)
        return assoc

    def roles(self, v: Any, where: str, span: Span, path: str, atype: str | None = None) -> list[Role] | None:
        """`roles:` as a mapping role type -> player(s), or a list of `{type, player}` role entries
        (which may carry `item_identifiers` and `reifier`)."""
        if v is None:
            return []
        if isinstance(v, list):
            return self.role_entries(v, where, span, path)
        if not isinstance(v, dict):
            self.diags.error("wrong-type", f"{where}: expected a mapping of role type to player(s), got {a_kind(v)}", span)
            return None
        out: list[Role] = []
        for role_raw, players in v.items():
            rsp = value_span(v, role_raw, span)
            rwhere = f"{where}.{role_raw}"
            rtype = self.ref(role_raw, rwhere, key_span(v, role_raw, span), path)
            if rtype is None:
                continue
            if atype is not None:
                self.check_role(atype, rtype, role_raw, rwhere, key_span(v, role_raw, span))
            if isinstance(players, dict):
                self.diags.error("wrong-type", f"{rwhere}: expected a player or a list of players, got a mapping", rsp)
                continue
            if isinstance(players, list):
                bad = next((i for i, p in enumerate(players) if isinstance(p, (dict, list))), None)
                if bad is not None:
                    self.diags.error("wrong-type", f"{rwhere}[{bad}]: expected a player, got {a_kind(players[bad])}",
                                     item_span(players, bad, rsp))
                    continue
            for player, psp in self.text_list(players, rwhere, rsp):
                pid = self.ref(player, rwhere, psp, path)
                if pid:
                    out.append(Role(rtype, pid, span=psp))
        return out

    def role_entries(self, v: list, where: str, span: Span, path: str) -> list[Role] | None:
        out: list[Role] = []
        for i, e in enumerate(v):
            ewhere, esp = f"{where}[{i}]", item_span(v, i, span)
            if not isinstance(e, dict) or "type" not in e or "player" not in e:
                self.diags.error("wrong-type", f"{ewhere}: a role entry is a mapping with `type:` and `player:`", esp)
                continue
            self.unknown_keys(e, ROLE_ENTRY_KEYS, ewhere, esp)
            rtype = self.ref(e["type"], f"{ewhere}.type", value_span(e, "type", esp), path)
            pid = self.ref(e["player"], f"{ewhere}.player", value_span(e, "player", esp), path)
            if rtype and pid:
                role = Role(rtype, pid, span=esp)
                self.statement_keys(role, e, ewhere, esp, path)
                out.append(role)
        return out

    def association_file(self, topic: Topic, front: Any, line1: Span, path: str) -> None:
        """An association file states one association, which its topic reifies."""
        sp = value_span(front, "association", line1)
        atype = self.ref(front["association"], "association", sp, path)
        if atype is None:
            self.diags.error("missing-value", "association: needs an association type", sp)
            return
        roles = self.roles(front.get("roles"), "roles", value_span(front, "roles", line1), path, atype)
        if roles is None:
            return
        if len(roles) < 1:
            self.diags.error("missing-value", "an association file needs `roles:` with at least one player", key_span(front, "association", line1))
            return
        scope, sspans = self.scope(front.get("scope"), "scope", value_span(front, "scope", line1), path)
        self.tm.add_association(Association(atype, roles, scope, reifier=topic.id, span=sp, scope_spans=sspans))
