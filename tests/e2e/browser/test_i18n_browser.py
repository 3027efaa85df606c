"""Browser: the scripts' own texts and the API's errors in the page's language."""
from __future__ import annotations

# (No real failing request: the fixture counts every 4xx of a script as a problem.)
ASK = """() => {
  const X = window.Exhibition;
  return {
    error: X.t("Error:"),
    meeting: X.t("{when} with {name}: {status}", { when: "10:00", name: "Vera", status: "x" }),
    unknown: X.t("Not a known text {a}", { a: 1 }),
    notFound: X.errorText("not_found", "no such booth"),
    invalid: X.errorText("invalid", "title is required"),
    unknownCode: X.errorText("teapot", "short and stout"),
  };
}"""


def test_scripts_speak_german_on_a_german_page(open_page):
    page = open_page("visitor")
    page.goto("/me?lang=de")
    said = page.evaluate(ASK)
    assert said["error"] == "Fehler:"
    assert said["meeting"] == "10:00 mit Vera: x"
    assert said["unknown"] == "Not a known text 1"  # falls back to the key
    assert said["notFound"] == "Das gibt es nicht (mehr)."
    assert said["invalid"] == "Bitte prüfen Sie Ihre Eingaben. (title is required)"  # names the field
    assert said["unknownCode"] == "short and stout"


def test_scripts_keep_english_on_an_english_page(open_page):
    page = open_page("visitor")
    page.goto("/me?lang=en")
    said = page.evaluate(ASK)
    assert said["error"] == "Error:"
    assert said["meeting"] == "10:00 with Vera: x"
    assert said["notFound"] == "no such booth"  # the API's own words, as before
    assert said["invalid"] == "title is required"
