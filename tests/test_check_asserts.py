"""The check behind `make lint` that every test function checks something."""

from __future__ import annotations

import textwrap

from tests.check_asserts import main, unchecked_tests


def write(tmp_path, source: str, name: str = "test_sample.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def test_a_test_without_any_check_is_listed(tmp_path):
    path = write(
        tmp_path,
        """
        def test_nothing(client):
            client.get("/")
        """,
    )
    assert unchecked_tests([path]) == [f"{path}:2: test_nothing"]


def test_assert_raises_fail_and_expect_count_as_checks(tmp_path):
    path = write(
        tmp_path,
        """
        import pytest
        from playwright.sync_api import expect

        def test_assert():
            assert 1 + 1 == 2

        def test_raises():
            with pytest.raises(ValueError):
                int("x")

        def test_fail_in_a_branch(value=1):
            if value != 1:
                pytest.fail("wrong")

        def test_expect(page):
            expect(page).to_have_title("Wijklab")
        """,
    )
    assert unchecked_tests([path]) == []


def test_a_helper_that_checks_counts_also_through_another_helper(tmp_path):
    path = write(
        tmp_path,
        """
        def assert_refused(response):
            assert response.status_code == 403

        def refused_everywhere(responses):
            for response in responses:
                assert_refused(response)

        def helper_that_checks_nothing(response):
            return response.status_code

        def test_direct(client):
            assert_refused(client.get("/users"))

        def test_indirect(client):
            refused_everywhere([client.get("/users")])

        def test_only_a_helper_that_checks_nothing(client):
            helper_that_checks_nothing(client.get("/users"))
        """,
    )
    assert [p.rsplit(": ", 1)[1] for p in unchecked_tests([path])] == [
        "test_only_a_helper_that_checks_nothing"
    ]


def test_a_method_named_like_a_checking_helper_does_not_count(tmp_path):
    path = write(
        tmp_path,
        """
        def check(value):
            assert value

        def test_ticks_a_box(page):
            page.locator("#akkoord").check()
        """,
    )
    assert len(unchecked_tests([path])) == 1


def test_main_exits_1_and_names_the_test(tmp_path, capsys):
    write(tmp_path, "def test_nothing():\n    pass\n")
    assert main([str(tmp_path)]) == 1
    assert "test_nothing checks nothing" in capsys.readouterr().out


def test_the_suite_itself_has_no_test_that_checks_nothing(capsys):
    assert main([]) == 0, capsys.readouterr().out
