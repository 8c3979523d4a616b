"""The page context: the one thing every page gets first.

    ctx = page_context()                    # or page_context(action="view_audit")
    ctx.principal                           # who is acting (geo.auth.Principal)
    ctx.lang                                # "zh" or "en" (components.i18n.get_lang)
    ctx.layer("members")                    # a layer, personal fields masked for ctx.principal
    ctx.layers("grids", "members")          # several, from one store revision
    ctx.compound("C001")                    # (detail, summary, names), masked
    ctx.unmasked("members", reason="...")   # the only way to unmasked data: checked, audited

Masking follows :func:`geo.auth.can_see_personal`: ``org`` sees personal data, a grid leader
sees it for rows of his own grids (a row's ``grid_id``, or its compound's grid), everybody
else (planner, viewer, demo, big screen, anonymous) sees it masked (张*明, 138****1234).
Which columns are personal is declared in :mod:`geo.schema`.

``ctx.layer("audit")`` is read afresh on every call: an audit row alone does not change the
store's revision (``geo.store.base.UNREVISIONED_LAYERS``), and the sign-in rows it includes
are kept outside the layers.

Caching is at the edge and shared between users: masked layers are ``st.cache_resource`` keyed
on the revision that last changed the layer and on the masking *policy* (all / none / a set of
grids), never on the user, and handed out as copy-on-write views
(:func:`components.data.shared_view`).
``ctx.store`` is for writes through ``geo`` (which check the principal); a page never reads
layers from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import network_cache, session
from components.data import (
    _raw_layer_at,
    cached_frame,
    get_store,
    layers_key,
    scoped_revision,
    session_layers_key,
    session_scope,
)
from components.i18n import get_lang
from geo import audit, auth, schema
from geo.auth import Principal
from geo.masking import mask_frame, mask_record
from geo.store import Store

SEE_ALL, SEE_NONE, SEE_GRIDS = "all", "none", "grids"
PRIVATE_LAYERS = frozenset({auth.ACCOUNTS})  # password hashes: never handed to a page
GRID_ID, COMPOUND_ID, ID, COMPOUNDS = "grid_id", "compound_id", "id", "compounds"
VIEW_PERSONAL = "view_personal"
AUDITED_KEY = "hongtu_unmasked_audited"  # session: unmasked reads already audited
DETAIL_RECORDS = {"party_branch": "party_branches", "owners_committee": "owners_committees",
                  "supervisory_committee": "supervisory_committees",
                  "party_instructor": "party_instructors"}


def masking_policy(principal: Principal | None) -> tuple[str, ...]:
    """What ``principal`` may see unmasked, as a cache key shared by everyone alike."""
    if principal is not None and auth.can_see_personal(principal):
        return (SEE_ALL,)
    if principal is not None and principal.role in auth.GRID_SCOPED_ROLES:
        return (SEE_GRIDS, *sorted(principal.grids))
    return (SEE_NONE,)


def _row_grids(url: str, revision: str, name: str, frame: pd.DataFrame) -> pd.Series | None:
    """The grid of each row: its own ``grid_id``, else its compound's; None if neither."""
    if GRID_ID in frame.columns:
        return frame[GRID_ID].astype(object)
    if COMPOUND_ID in frame.columns:
        compounds = _raw_layer_at(url, revision, COMPOUNDS)
        return frame[COMPOUND_ID].map(dict(zip(compounds[ID], compounds[GRID_ID])))
    return None


def apply_policy(frame: pd.DataFrame, name: str, policy: tuple[str, ...],
                 row_grids: pd.Series | None = None) -> pd.DataFrame:
    """``frame`` (rows of layer ``name``) with personal fields masked as ``policy`` says."""
    if not schema.layer(name).personal_fields or policy[0] == SEE_ALL:
        return frame
    if policy[0] == SEE_GRIDS and row_grids is not None:
        visible = row_grids.astype(str).isin(set(policy[1:])) & row_grids.notna()
        return mask_frame(frame, name, visible.tolist())
    return mask_frame(frame, name, False)


@cached_frame(max_entries=128)
def _masked_layer(url: str, key: str, name: str, policy: tuple[str, ...]) -> pd.DataFrame:
    """Layer ``name`` masked by ``policy``; ``key``: of the layer and the compounds (a row's
    grid may be its compound's), with the unit."""
    frame = _raw_layer_at(url, key, name)
    return apply_policy(frame, name, policy, _row_grids(url, key, name, frame))


@dataclass(frozen=True)
class PageContext:
    """Who is signed in, the language, and the store's layers as this principal may see them."""

    principal: Principal
    lang: str
    store: Store  # for writes through geo/ (they check the principal); not for reads

    @property
    def policy(self) -> tuple[str, ...]:
        return masking_policy(self.principal)

    @property
    def revision(self) -> str:
        """The store's current revision marked with the session's unit (a cache key that
        keeps units apart; read afresh on every call)."""
        return scoped_revision(self.store.revision())

    def revision_of(self, *names: str) -> str:
        """A cache key of data made from layers ``names`` for the session's unit: it changes
        when one of them is written, not when another layer is (read afresh on every call)."""
        return session_layers_key(names)

    # ------------------------------------------------------------------ masked reads
    def layer(self, name: str) -> pd.DataFrame:
        """A whole layer, personal fields masked for this principal. Do not mutate it."""
        return self.layers(name)[name]

    def layers(self, *names: str) -> dict[str, pd.DataFrame]:
        """Several layers from one store revision, masked for this principal."""
        private = sorted(set(names) & PRIVATE_LAYERS)
        if private:
            raise PermissionError(f"layer not available to pages: {', '.join(private)}")
        url, scope, policy = self.store.url, session_scope(), self.policy
        out = {n: _masked_layer(url, layers_key(url, scope, (n, COMPOUNDS)), n, policy)
               if policy[0] != SEE_ALL and schema.layer(n).personal_fields
               else _raw_layer_at(url, scope, n)  # nothing to mask: one frame
               for n in names}
        if audit.AUDIT in out:  # kept outside the revision (UNREVISIONED_LAYERS), with the
            # sign-ins (outside the layers): read afresh, masked like any layer
            fresh = apply_policy(self.store.load(audit.AUDIT), audit.AUDIT, policy)
            out[audit.AUDIT] = audit.with_sign_ins(fresh, self.store)
        return out

    @property
    def meta(self) -> dict[str, str]:
        frame = self.layer("meta")
        return dict(zip(frame["key"], frame["value"])) if len(frame) else {}

    @property
    def is_sample(self) -> bool:
        return self.meta.get("is_sample") == "true"

    def can_see_personal(self, grid_id: str | None = None) -> bool:
        """May this principal see personal data (of a row in ``grid_id``)?"""
        return auth.can_see_personal(self.principal, grid_id)

    def mask(self, frame: pd.DataFrame, name: str) -> pd.DataFrame:
        """Rows of layer ``name`` from elsewhere (e.g. a derived table), masked alike."""
        grids = frame[GRID_ID].astype(object) if GRID_ID in frame.columns else None
        return apply_policy(frame, name, self.policy, grids)

    def compound(self, compound_id: str):
        """(CompoundDetail, summary, names) for one compound, every personal field masked
        for this principal (records by the compound's grid, members and orders by their own).
        Raises geo.store.NotFoundError."""
        detail, summary, names = network_cache.compound(compound_id)
        visible = self.can_see_personal(detail.compound.get(GRID_ID))
        records = {key: mask_record(getattr(detail, key), layer, visible)
                   for key, layer in DETAIL_RECORDS.items()}
        related = {name: self.mask(frame, name) for name, frame in detail.related.items()}
        detail = dataclasses.replace(detail, related=related, **records)
        summary = {**summary, "members": self.mask(summary["members"], "members")}
        return detail, summary, names

    # ------------------------------------------------------------------ the exception
    def unmasked(self, name: str, *, reason: str, grid_ids=None) -> pd.DataFrame:
        """Layer ``name`` with personal data in clear, for a stated ``reason``.

        Refused (:class:`geo.auth.PermissionDenied`, audited) unless the principal may
        ``view_personal`` (grid leaders: only with ``grid_ids`` all their own; the rows are
        then those grids'). Granted reads are audited once per session, layer, grids and
        reason (action ``view_personal``): call it on a user's action, not on every rerun."""
        if not str(reason or "").strip():
            raise ValueError("查看未脱敏的个人信息须说明理由 | a reason is needed to see "
                             "unmasked personal data")
        if name in PRIVATE_LAYERS:
            raise PermissionError(f"layer not available to pages: {name}")
        grids = sorted({str(g) for g in grid_ids}) if grid_ids else None
        auth.require(self.principal, VIEW_PERSONAL, store=self.store, grid_ids=grids,
                     object_layer=name)
        url, revision = self.store.url, self.revision
        frame = _raw_layer_at(url, revision, name)
        if grids:
            row_grids = _row_grids(url, revision, name, frame)
            if row_grids is None:  # rows tied to no grid: none of them is in those grids
                frame = frame.iloc[0:0]
            else:
                frame = frame[row_grids.astype(str).isin(grids)].reset_index(drop=True)
        self._audit_unmasked(name, grids, reason.strip())
        return frame

    def _audit_unmasked(self, name: str, grids, reason: str) -> None:
        key = (self.principal.name, name, tuple(grids or ()), reason)
        done = st.session_state.setdefault(AUDITED_KEY, set())
        if key in done:
            return
        with self.store.transaction(self.principal.name) as tx:
            audit.record(tx, self.principal.name, VIEW_PERSONAL, name,
                         after={"grids": grids} if grids else None, reason=reason)
        done.add(key)


def page_context(action: str | None = None) -> PageContext:
    """The context of the page being run. Stops the page with the sign-in form or a refusal
    when this principal may not open it, or (``action``) may not do that action."""
    principal = session.guard(action) if action else session.current_principal()
    return PageContext(principal=principal, lang=get_lang(), store=get_store())
