"""Properties checked on random answers that follow the skip logic (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.amounts import Amounts
from app.questionnaire import (
    AnswerValue,
    Question,
    Questionnaire,
    evaluate,
    form_values,
    next_question,
    parse_answer,
    summarize,
    validate_answers,
)

FIRST_AMOUNT = dt.date(2016, 6, 1)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def values_of(question: Question) -> st.SearchStrategy[AnswerValue]:
    if question.type == "choice":
        return st.sampled_from([option.value for option in question.options])
    if question.type == "multi":
        exclusive = [(option.value,) for option in question.options if option.exclusive]
        others = [option.value for option in question.options if not option.exclusive]
        some = st.sets(st.sampled_from(others), min_size=1).map(
            lambda chosen: tuple(value for value in others if value in chosen)
        )
        return st.one_of(st.sampled_from(exclusive), some) if exclusive else some
    if question.type == "yesno":
        return st.booleans()
    assert question.min is not None and question.max is not None
    if question.type == "number":
        return st.integers(int(question.min), int(question.max))
    return st.decimals(question.min, question.max, places=2, allow_nan=False)


@st.composite
def walks(draw: st.DrawFn, questionnaire: Questionnaire) -> dict[str, AnswerValue]:
    """Answers given one question at a time, as a person would, until none is left."""
    answers: dict[str, AnswerValue] = {}
    while (question := next_question(questionnaire, answers)) is not None:
        answers[question.id] = draw(values_of(question), label=question.id)
    return answers


@SETTINGS
@given(data=st.data(), day=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)))
def test_evaluation_never_fails_and_always_says_what_to_do(
    questionnaire: Questionnaire, amounts: Amounts, data: st.DataObject, day: dt.date
) -> None:
    answers = data.draw(walks(questionnaire))
    assert validate_answers(questionnaire, answers) == []
    result = evaluate(questionnaire, amounts, answers, day)
    assert result.how_to_apply and result.disclaimer
    assert result.right("ris") is not None
    for right in result.rights:
        assert right.reasons, right.id
        assert right.next_steps, right.id
        assert right.status in ("probable", "possible", "peu_probable")
        assert all(reason.text and "{" not in reason.text for reason in right.reasons)
    ris = result.right("ris")
    assert ris is not None
    if ris.status != "peu_probable" and day >= FIRST_AMOUNT:
        assert ris.amount is not None and ris.amount.since <= day
    assert summarize(questionnaire, answers).startswith(questionnaire.texts.summary_intro)


@SETTINGS
@given(data=st.data())
def test_a_half_finished_walk_can_be_evaluated(
    questionnaire: Questionnaire, amounts: Amounts, data: st.DataObject
) -> None:
    answers = data.draw(walks(questionnaire))
    kept = dict(list(answers.items())[: data.draw(st.integers(0, len(answers)))])
    result = evaluate(questionnaire, amounts, kept, dt.date(2025, 6, 1))
    assert all(right.reasons and right.next_steps for right in result.rights)


@SETTINGS
@given(data=st.data())
def test_every_answer_survives_the_form(questionnaire: Questionnaire, data: st.DataObject) -> None:
    """What a form sends back reads as the same answer (the answers travel in the form)."""
    answers = data.draw(walks(questionnaire))
    for question_id, value in answers.items():
        question = questionnaire.question(question_id)
        assert parse_answer(question, form_values(question, value)) == (value, None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.decimals() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@SETTINGS
@given(
    answers=st.dictionaries(
        st.one_of(
            st.sampled_from(["age", "statut", "revenus", "revenus_montant", "dettes"]),
            st.text(max_size=10),
        ),
        json_values,
        max_size=6,
    )
)
def test_any_json_gets_messages_not_an_exception(
    questionnaire: Questionnaire, answers: dict[str, object]
) -> None:
    for field, message in validate_answers(questionnaire, answers):
        assert isinstance(field, str) and f"« {field} »" in message


@SETTINGS
@given(raw=st.lists(st.text(max_size=30), max_size=3))
def test_any_form_input_gets_a_value_or_a_message(
    questionnaire: Questionnaire, raw: list[str]
) -> None:
    for question in questionnaire.questions:
        value, error = parse_answer(question, raw)
        assert (value is None) != (error is None)
        if isinstance(value, Decimal):
            assert value == value.quantize(Decimal("0.01"))
