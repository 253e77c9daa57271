def test_routes_a_chat_to_the_fallback(api, make_rep):
    rep = make_rep("Dana")
    response = api.post("/api/v1/chats/", {"lead": {"email": "a@b.com"}}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["assignee"] == {"type": "rep", "id": rep.id, "name": "Dana"}
    assert response.data["segment"]["name"] == "Fallback"
