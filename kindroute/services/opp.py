"""The OPP (ontwikkelingsperspectiefplan) as a versioned document, with the parents'
instemming and the pupil's hoorrecht recorded per version (WPO art. 40a).

- The first ``save_opp`` makes version 1, a concept. Saving a concept changes it in place.
- ``adopt=True`` makes the current version vastgesteld (date and by whom).
- Changing an adopted version makes a new concept version (a copy with the changes, its goals
  the goals not yet evaluated): ``opp_vastgesteld``, ``instemming`` and ``hoorrecht`` then
  refer to the new version, so they fail until it is adopted, agreed and heard again.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from kindroute.errors import InvalidInput
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor
from kindroute.services.text import check_name, check_text, parse_date
from kindroute.store.models import (
    Case,
    Document,
    Goal,
    GoalEvaluation,
    OppGoal,
    OppHoorrecht,
    OppInstemming,
    OppVersion,
)
from kindroute.workflow.vocabulary import (
    INSTEMMING_OUTCOMES,
    OPP_ADOPTED,
    OPP_AGREED,
    OPP_CONCEPT,
    OPP_DECISION,
)

#: The fields of a version that ``save_opp`` sets (the OPP form and ``case opp`` options).
OPP_FIELDS = ("uitstroomprofiel", "reasons", "stimulerend", "belemmerend", "support", "support_who",
              "duration")


class OppServices(ServiceContext):
    """Draw up, adjust and adopt the OPP; record instemming and hoorrecht."""

    def _current_opp(self, s, case_id: int) -> OppVersion | None:  # type: ignore[no-untyped-def]
        return s.scalar(select(OppVersion).where(OppVersion.case_id == case_id)
                        .order_by(OppVersion.version.desc()).limit(1))

    def _require_opp_writer(self, actor: Actor, case: Case) -> None:
        self._require_manager(actor, case, "het OPP vastleggen")

    def save_opp(self, actor: Actor, case_id: int, *, adopt: bool = False,
                 expected_version: int | None = None, **fields: str | None) -> tuple[int, str]:
        """Draw up or adjust the OPP (and/or adopt it). Returns (version, status)."""
        unknown = set(fields) - set(OPP_FIELDS)
        if unknown:
            raise InvalidInput(f"Onbekend veld van het OPP: {', '.join(sorted(unknown))}.")
        changes = {k: v for k, v in fields.items() if v is not None}
        for key, value in changes.items():
            check_text(value, key, required=False)
        if not changes and not adopt:
            raise InvalidInput("Geef iets om vast te leggen (bijv. --uitstroomprofiel) of --adopt.")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_opp_writer(actor, case)
            current = self._current_opp(s, case_id)
            now = self.now()
            version_made = current is None or (current.status == OPP_ADOPTED and bool(changes))
            if version_made:
                base = {k: getattr(current, k) for k in OPP_FIELDS} if current is not None else {}
                base.update(changes)
                version = OppVersion(case_id=case_id, version=(current.version + 1) if current else 1,
                                     status=OPP_CONCEPT, created_by_id=actor.id, created_at=now,
                                     **{k: base.get(k) or "" for k in OPP_FIELDS})
                s.add(version)
                s.flush()
                evaluated = select(GoalEvaluation.id).where(GoalEvaluation.goal_id == Goal.id).exists()
                for gid in s.scalars(select(Goal.id).where(Goal.case_id == case_id, ~evaluated)):
                    s.add(OppGoal(opp_version_id=version.id, goal_id=gid))
                current = version
            elif current.status == OPP_ADOPTED and adopt:
                raise InvalidInput(f"Versie {current.version} van het OPP is al vastgesteld.")
            else:
                for key, value in changes.items():
                    setattr(current, key, value)
            before = (current.id, current.status) if current.id is not None else None
            if adopt:
                if not current.uitstroomprofiel.strip():
                    raise InvalidInput("Een OPP zonder uitstroomprofiel kan niet worden vastgesteld.")
                current.status = OPP_ADOPTED
                current.adopted_on = self.today()
                current.adopted_by_id = actor.id
            changed = version_made or before != (current.id, current.status)
            touched: list[Document] = []
            if OPP_DECISION in self.route.decisions and changed:
                # the route's OPP decision follows the versions: a new concept blocks its guard again
                step = next((t.step for t in case.tracks if t.track == self.route.main_track.id), None)
                doc = Document(case_id=case_id, kind=OPP_DECISION, outcome=current.status,
                               title=f"OPP versie {current.version}", step=step, author_id=actor.id, at=now)
                s.add(doc)
                touched.append(doc)
            self._touch(case)
            self._seal(s, case, "opp", actor, touched)
            result = (current.version, current.status)
            uow.commit()
            return result

    def record_instemming(self, actor: Actor, case_id: int, *, outcome: str, by: str, note: str = "",
                          on: str | date | None = None, expected_version: int | None = None) -> int:
        """The parents' answer on the handelingsdeel of the current OPP version."""
        if outcome not in INSTEMMING_OUTCOMES:
            raise InvalidInput(f"Instemming is eens, oneens of deels, niet '{outcome}'.")
        check_name(by, "Door wie (ouder/verzorger)")
        check_text(note, "Wat volgt", required=False)
        if outcome != OPP_AGREED and not note.strip():
            raise InvalidInput("Ouders stemmen niet (helemaal) in: leg met --note vast wat er nu volgt "
                               "(bijv. gesprek, aangepast handelingsdeel, geschillencommissie).")
        day = parse_date(on, "Datum") if on else self.today()
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_opp_writer(actor, case)
            current = self._current_opp(s, case_id)
            if current is None:
                raise InvalidInput("Er is nog geen OPP: leg eerst het OPP vast (kindroute case opp).")
            row = OppInstemming(opp_version_id=current.id, case_id=case_id, given_on=day, given_by=by,
                                outcome=outcome, note=note, recorded_by_id=actor.id, recorded_at=self.now())
            s.add(row)
            self._touch(case)
            self._seal(s, case, "opp_instemming", actor)
            rid = row.id
            uow.commit()
            return rid

    def record_hoorrecht(self, actor: Actor, case_id: int, *, view: str, weighed: str = "",
                         on: str | date | None = None, expected_version: int | None = None) -> int:
        """The pupil's view on the current OPP version, in their own words, and how it was weighed."""
        check_text(view, "Mening van de leerling")
        check_text(weighed, "Hoe meegewogen", required=False)
        day = parse_date(on, "Datum") if on else self.today()
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_opp_writer(actor, case)
            current = self._current_opp(s, case_id)
            if current is None:
                raise InvalidInput("Er is nog geen OPP: leg eerst het OPP vast (kindroute case opp).")
            row = OppHoorrecht(opp_version_id=current.id, case_id=case_id, heard_on=day, view=view,
                               weighed=weighed, recorded_by_id=actor.id, recorded_at=self.now())
            s.add(row)
            self._touch(case)
            self._seal(s, case, "opp_hoorrecht", actor)
            rid = row.id
            uow.commit()
            return rid
