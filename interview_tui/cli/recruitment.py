"""CLI: `recruitment add|answer|list` (people invited, never named) and `saturation record|show`."""

from __future__ import annotations

import click

from interview_tui.cli import main
from interview_tui.cli.common import as_click_error, load_cli_study, pass_db, render_table, study_option
from interview_tui.domain.participant_codes import ParticipantError


@main.group()
def recruitment() -> None:
    """The recruitment log: people invited to take part, counted but never named."""


@recruitment.command("add")
@click.option("--declined", "outcome", flag_value="declined", help="They declined to take part.")
@click.option("--accepted", "outcome", flag_value="accepted", help="They agreed (add them as a participant too).")
@click.option("--invited", "outcome", flag_value="invited", default=True, help="Invited, no answer yet (the default).")
@click.option("--count", type=click.IntRange(min=1, max=1000), default=1, show_default=True,
              help="Log this many people with the same outcome at once.")
@click.option("--reason", help="Why they declined, if they said (no names).")
@click.option("--on", "contacted_on", metavar="YYYY-MM-DD", help="Date of the contact.")
@study_option
@pass_db
def recruitment_add(db, outcome: str, count: int, reason: str | None, contacted_on: str | None,
                    study_path: str | None) -> None:
    """Log people contacted about the study, with what came of it.

    Only people who never became participants need an entry (declines, no
    answer yet); participants are counted from their consent records.
    """
    from interview_tui.storage.recruitment import RecruitmentError, log_contacts
    from interview_tui.storage.studies import register_study

    study = load_cli_study(study_path)
    with as_click_error(RecruitmentError):
        ids = log_contacts(db, outcome, count=count, reason=reason, contacted_on=contacted_on,
                           study_id=register_study(db, study))
    which = f"entry {ids[0]}" if len(ids) == 1 else f"entries {ids[0]}-{ids[-1]}"
    click.echo(f"Logged {count} {outcome} ({which}).")


@recruitment.command("answer")
@click.argument("entry_id", metavar="ENTRY", type=int)
@click.option("--declined", "outcome", flag_value="declined", help="They declined.")
@click.option("--accepted", "outcome", flag_value="accepted", help="They agreed.")
@click.option("--reason", help="Why they declined, if they said (no names).")
@pass_db
def recruitment_answer(db, entry_id: int, outcome: str | None, reason: str | None) -> None:
    """Record the answer of someone invited earlier (ENTRY from `recruitment list`)."""
    from interview_tui.storage.recruitment import RecruitmentError, set_outcome

    if outcome is None:
        raise click.ClickException("say what they answered: --declined or --accepted")
    with as_click_error(RecruitmentError):
        set_outcome(db, entry_id, outcome, reason)
    click.echo(f"Entry {entry_id}: {outcome}.")


@recruitment.command("list")
@pass_db
def recruitment_list(db) -> None:
    """List the log, then the recruitment counts the methods report uses."""
    from interview_tui.export.methods import recruitment_text
    from interview_tui.storage.consent import recruitment_counts
    from interview_tui.storage.recruitment import list_contacts

    rows = [[str(r.id), r.outcome, r.contacted_on or "-", r.reason or "-"] for r in list_contacts(db)]
    if rows:
        click.echo(render_table(["Entry", "Outcome", "Contacted", "Reason"], rows))
    else:
        click.echo("The recruitment log is empty; log people invited with: interview-tui recruitment add")
    counts = recruitment_counts(db)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    if counts["contacted"]:
        click.echo(recruitment_text(counts))


@main.group()
def saturation() -> None:
    """The saturation log: after each interview, which new themes came up (if any)."""


@saturation.command("record")
@click.argument("code")
@click.option("--theme", "themes", multiple=True, help="A new theme this interview raised (repeat for each).")
@click.option("--none", "no_new", is_flag=True, help="The interview raised no new themes.")
@click.option("--review-point", is_flag=True, help="A planned point to review whether to recruit more.")
@click.option("--note", help="A short note on the decision (no names).")
@pass_db
def saturation_record(db, code: str, themes: tuple[str, ...], no_new: bool, review_point: bool,
                      note: str | None) -> None:
    """Record what participant CODE's interview added; a later record replaces it."""
    from interview_tui.storage.saturation import record_saturation

    themes = tuple(dict.fromkeys(" ".join(t.split()) for t in themes if t.strip()))
    if no_new == bool(themes):
        raise click.ClickException(
            "say either which new themes came up (--theme, repeat for each) or that none did (--none)"
        )
    with as_click_error(ParticipantError):
        record_saturation(db, code, list(themes), review_point=review_point, note=note)
    what = f"{len(themes)} new theme{'s' if len(themes) != 1 else ''}" if themes else "no new themes"
    click.echo(f"Recorded for {code.upper()}: {what}{' (review point)' if review_point else ''}.")


@saturation.command("show")
@pass_db
def saturation_show(db) -> None:
    """New themes per interview, the running total, and the sentences the methods report writes."""
    from interview_tui.domain.saturation import saturation_text
    from interview_tui.storage.saturation import saturation_log

    entries = saturation_log(db)
    if not entries:
        click.echo("Nothing logged yet; after an interview: interview-tui saturation record P01 --theme ... | --none")
        return
    seen: set[str] = set()
    rows = []
    for e in entries:
        seen.update(t.casefold() for t in e.new_themes)
        # The running total as a bar: saturation shows as the bars stop growing.
        rows.append([str(e.interview), e.code, str(len(e.new_themes)), f"{len(seen):>3} {'█' * min(len(seen), 40)}",
                     "yes" if e.review_point else "-", "; ".join(e.new_themes) or "none"])
    click.echo(render_table(["Interview", "Code", "New", "Total", "Review", "New themes"], rows))
    click.echo(saturation_text(entries))
