// What every page script reads the card's JSON API with: a page's own refresh, sent with
// the X-Refresh header so it does not keep the session alive. A 401 means the session is
// over (timeout, a new login elsewhere): the page reloads and says why.
window.cardApi = {
  async refresh(path) {
    const response = await fetch(path, { headers: { "X-Refresh": "1" }, credentials: "same-origin" });
    if (response.status === 401) {
      window.location.reload();
      throw new Error("session over");
    }
    if (!response.ok) throw new Error(path + ": " + response.status);
    return response.json();
  },
};
