from tests.factories import PASSWORD


def test_login_with_email_and_password_lands_on_dashboard(client, admin):
    response = client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert admin.name in page.get_data(as_text=True)


def test_login_as_fixture_signs_in(client, login_as, student):
    login_as(student)
    assert student.name in client.get("/").get_data(as_text=True)
