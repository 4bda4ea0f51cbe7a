"""Reading prompts: announced keys, identity fields, hangup reasons, spoken length."""

from __future__ import annotations

import pytest

from ivraudit.model.prompts import (
    IdentityMatcher,
    announced_keys,
    announces_hours,
    find_phrases,
    hangup_reason_from_text,
    spoken_seconds,
    words,
)


@pytest.mark.parametrize(
    ("prompt", "keys"),
    [
        ("For sales press 1. For support, press two.", ["1", "2"]),
        ("To speak to an operator press 0.", ["0"]),
        ("To go back press star. To repeat, press the pound key.", ["*", "#"]),
        ("Press hash to finish.", ["#"]),
        ("Say or press 3 for billing.", ["3"]),
        ("Please dial 2 now.", ["2"]),
        ("Press 1, 2 or 3.", ["1", "2", "3"]),
        ("Press 1 to go into queue or 2 to enter a callback number.", ["1", "2"]),
        ("For sales press 1, 2 for support, or 3 for billing.", ["1", "2", "3"]),
        ("Or 2 to leave.", []),
        ("Press 1 to pay your bill. 2 to hear your balance.", ["1", "2"]),
        ("For sales, 1. For support, 2.", ["1", "2"]),
        ("Please enter the 3 digit security code on the back of your card.", []),
        ("Key in 4 digits, then press hash.", ["#"]),
        ("Delivery takes 3 to 5 days.", []),
        ("Press 1 to 4, or 0 for an adviser.", ["1", "2", "3", "4", "0"]),
        ("Enter your 8 digit account number.", []),
        ("Press 10 for the switchboard.", []),
        ("Welcome to Acme.", []),
        ("", []),
        # Keys are listed in the order the prompt says them, however each was read.
        ("Press 1 for sales, 2 for support, or press 3 for billing.", ["1", "2", "3"]),
        # "for X, N" continued with a comma; a list of "N for / N to" with no verb.
        ("For sales, 1, for support, 2, or for billing, 3.", ["1", "2", "3"]),
        ("1 for sales, 2 to hear our opening hours, 3 to check an order.", ["1", "2", "3"]),
        ("Your order ships in 2 to 3 days. 1 for more.", []),
        ("2 to pay a bill. For sales, 3.", ["2", "3"]),
        ("To reach support, 2. To speak to an adviser, 0.", ["2", "0"]),
        # Hours and delivery times are ranges, not keys.
        ("8 to 6 weekdays, 9 to 4 on Saturdays.", []),
        ("2 to 3 business days, or 5 to 7 for ground shipping.", []),
        ("Welcome. To reach us by post, write to the address below.", []),
    ],
)
def test_announced_keys(prompt, keys):
    assert announced_keys(prompt) == keys


MATCHER = IdentityMatcher.build()


@pytest.mark.parametrize(
    ("prompt", "field"),
    [
        ("Please enter your date of birth.", "date_of_birth"),
        ("Key in your DOB as eight digits.", "date_of_birth"),
        ("Enter your 8 digit account number followed by hash.", "account_number"),
        ("Please enter your four digit PIN.", "pin"),
        ("What is your zip code?", "postcode"),
        ("Please say your postcode.", "postcode"),
        ("Enter the last four digits of your card.", "card_number_last_digits"),
        ("Enter the last four digits of your social security number.", "national_id_last_digits"),
        ("Please key in your personal number so we can verify your identity.", "national_id"),
        ("Enter the phone number we can call you back on.", "phone_number"),
        ("Please enter your policy number.", "policy_number"),
        ("What is your mother's maiden name?", "security_answer"),
        ("Enter the amount you want to pay.", None),
        ("Press 1 to continue.", None),
        (None, None),
    ],
)
def test_identity_from_prompt_text(prompt, field):
    assert MATCHER.from_text(prompt) == field


@pytest.mark.parametrize(
    ("variable", "field"),
    [
        ("acct", "account_number"),
        ("acctNum", "account_number"),
        ("caller_dob", "date_of_birth"),
        ("PIN", "pin"),
        ("zipCode", "postcode"),
        ("ssn_last4", "national_id"),
        ("CHOICENO1", None),
        ("amount", None),
        ("date_of_birth", "date_of_birth"),
    ],
)
def test_identity_from_variable_names(variable, field):
    assert MATCHER.from_variable(variable) == field


def test_declared_fields_win_and_inference_is_marked():
    assert MATCHER.field_of("pin", "Enter your account number") == ("pin", False)
    assert MATCHER.field_of("acct", None) == ("account_number", True)
    assert MATCHER.field_of(None, "Your date of birth?") == ("date_of_birth", True)
    extra = IdentityMatcher.build({"loyalty_number": ["rewards number"]})
    assert extra.from_text("Enter your rewards number.") == "loyalty_number"


@pytest.mark.parametrize(
    ("prompt", "reason"),
    [
        ("Sorry, that department is not taking calls at this time. Goodbye.", "unavailable"),
        ("All our agents are busy. Please try again later.", "unavailable"),
        ("We are not able to take your call right now. Goodbye.", "unavailable"),
        ("Sorry, no agents are available. Goodbye.", "unavailable"),
        ("We are closed. Goodbye.", "closed"),
        ("Sorry, an error has occurred.", "error"),
        ("We could not verify your details. Goodbye.", "error"),
        ("Too many attempts. Goodbye.", "error"),
        (
            "Sorry, you have encountered an internal system error. Please try again, Thank you.",
            "error",
        ),
        ("Thank you for calling Acme. Goodbye.", "completed"),
        ("Your payment has been received.", "completed"),
        ("Have a great day!", "completed"),
        ("Votre solde est de 2000 Ariary. Merci de votre confiance, au revoir.", "completed"),
        ("Gracias por su llamada. Adiós.", "completed"),
        ("Grazie per aver chiamato. Arrivederci.", "completed"),
        ("Il servizio non è disponibile. Arrivederci.", "unavailable"),
        ("Le service n'est pas disponible. Au revoir.", "unavailable"),
        ("Thank you for using MagicBox.", "completed"),
        ("Please hold.", None),
        (None, None),
    ],
)
def test_hangup_reason_from_text(prompt, reason):
    assert hangup_reason_from_text(prompt) == reason


def test_hangup_reason_from_a_recording_name():
    from ivraudit.model.prompts import hangup_reason_from_recording

    assert hangup_reason_from_recording("sounds/vm-goodbye.wav") == "completed"
    assert hangup_reason_from_recording("demo-thanks") == "completed"
    assert hangup_reason_from_recording("we_are_closed.mp3") == "closed"
    assert hangup_reason_from_recording("prompt-17.wav") is None


def test_hours_words_and_phrases():
    assert announces_hours("We are open Monday to Friday 8am to 6pm.")
    assert announces_hours("Our lines open at 9:00.")
    assert not announces_hours("We are closed. Goodbye.")
    assert words("<speak>Hello <break time='1s'/> world, it's me.</speak>") == 4
    assert spoken_seconds("one two three", 150) == pytest.approx(1.2)
    assert find_phrases(
        "Please listen carefully as our options have changed. Visit our website!",
        [
            "please listen carefully",
            "listen carefully as our options have changed",
            "visit our website",
        ],
    ) == ["listen carefully as our options have changed", "visit our website"]


@pytest.mark.parametrize(
    ("variable", "field"),
    [
        ("card_expiry_year_gather", None),
        ("card_expiry_month_activate_gather", None),
        ("name_of_dept", None),
        ("callback_choice", None),
        ("card_info_pin_gather", "card_number"),  # the prompt decides when it names a field
        ("acct_num_gather", "account_number"),
        ("CallerDob", "date_of_birth"),
        ("pin_length", None),  # how long the PIN is, not the PIN
        ("pin_digits", "pin"),  # the digits of the PIN are the PIN
        ("ssn_last_4_digits", "national_id"),
        ("card_last4_digits", "card_number"),
        ("account_digits", "account_number"),
    ],
)
def test_variable_names_that_qualify_a_field_name_none(variable, field):
    assert MATCHER.from_variable(variable) == field


def test_part_of_a_value_is_its_own_fact():
    matcher = IdentityMatcher.build()
    assert matcher.from_text("Enter the last 4 digits of your card number") == (
        "card_number_last_digits"
    )
    assert matcher.from_text("Please enter your card number") == "card_number"
    assert matcher.from_text("the last four digits of your social security number") == (
        "national_id_last_digits"
    )
    assert matcher.field_of("last4", None) == ("card_number_last_digits", True)
