from django.template import Context, Template


def render(text, **values):
    return Template("{% load money %}" + text).render(Context(values))


def test_the_filters_write_amounts_and_shares_as_core_money_does():
    assert render("{{ c|aud }} {{ b|bp }} {{ b|percent_figure }}%", c=-123456, b=6667) == (
        "−$1,234.56 66.67 % 66.67%"
    )


def test_nothing_is_written_for_no_value():
    assert render("[{{ n|aud }}][{{ n|bp }}][{{ n|percent_figure }}]", n=None) == "[][][]"
