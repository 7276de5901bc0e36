"""Number problems read as whole sentences in both languages."""

from __future__ import annotations

from django.utils import translation

from sinergi.assessments.instrument.reader import default_definition
from sinergi.assessments.scoring import check_answers
from sinergi.assessments.services import explain_problems


def test_a_word_in_a_number_question_is_explained_in_indonesian() -> None:
    _clean, problems = check_answers(default_definition().compile(), {"workers": "banyak"})
    with translation.override("id"):
        said = explain_problems(problems)["workers"][0]
    assert said == "Harus berupa bilangan bulat yang ditulis dengan angka (tertulis 'banyak')."
    with translation.override("en"):
        said = explain_problems(problems)["workers"][0]
    assert said == "Must be a whole number written in digits (got 'banyak')."
