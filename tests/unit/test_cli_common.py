"""`cli.common.as_click_error`: the library's own errors end a command with their message; others pass."""

from __future__ import annotations

import click
import pytest

from interview_tui.cli.common import as_click_error, normalized_code
from interview_tui.domain.participant_codes import ParticipantError


class Known(Exception):
    pass


class Subclass(Known):
    pass


@pytest.mark.parametrize(
    ("raised", "kinds", "becomes"),
    [
        (Known("no such participant P09"), (Known,), click.ClickException),
        (Subclass("a subclass counts"), (Known,), click.ClickException),
        (ValueError("either of two kinds"), (Known, ValueError), click.ClickException),
        (KeyError("a bug, not the user's"), (Known,), KeyError),  # left for ProjectGroup's crash report
    ],
)
def test_listed_errors_become_their_message(raised: Exception, kinds: tuple[type[Exception], ...], becomes: type) -> None:
    with pytest.raises(becomes) as caught:
        with as_click_error(*kinds):
            raise raised
    if becomes is click.ClickException:
        assert caught.value.message == str(raised)
        assert caught.value.__suppress_context__  # the message, not a chained traceback
    else:
        assert caught.value is raised


def test_without_an_error_the_block_runs_to_its_end() -> None:
    ran = []
    with as_click_error(Known):
        ran.append(1)
    assert ran == [1]


def test_normalized_code_reports_a_bad_code_as_a_message() -> None:
    assert normalized_code("p1") == "P01"
    with pytest.raises(click.ClickException) as caught:
        normalized_code("not a code")
    with pytest.raises(ParticipantError) as direct:
        from interview_tui.domain.participant_codes import normalize_code

        normalize_code("not a code")
    assert caught.value.message == str(direct.value)
