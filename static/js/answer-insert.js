// The answer form of the staff: "Insérer" puts the chosen fiche link (or canned reply) at the
// cursor instead of sending the form. Without JavaScript the button sends the form, and the
// server returns it with the text added at the end.
document.querySelectorAll("[data-insert-from]").forEach(function (button) {
  var select = document.getElementById(button.getAttribute("data-insert-from"));
  var area = document.getElementById(button.getAttribute("data-insert-into"));
  if (!select || !area) {
    return;
  }
  button.addEventListener("click", function (event) {
    var option = select.options[select.selectedIndex];
    var text = option ? option.getAttribute("data-text") : null;
    if (!text) {
      return; // nothing chosen: the server says so
    }
    event.preventDefault();
    var start = area.selectionStart;
    var end = area.selectionEnd;
    var before = area.value.slice(0, start);
    var after = area.value.slice(end);
    area.value = before + text + after;
    area.focus();
    area.selectionStart = area.selectionEnd = start + text.length;
    select.selectedIndex = 0;
  });
});
