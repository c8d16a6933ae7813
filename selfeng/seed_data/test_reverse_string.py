from reverse_string import reverse_string


def test_word():
    assert reverse_string("hello") == "olleh"


def test_sentence_keeps_spaces():
    assert reverse_string("hello world") == "dlrow olleh"


def test_empty():
    assert reverse_string("") == ""


def test_single_character():
    assert reverse_string("a") == "a"
