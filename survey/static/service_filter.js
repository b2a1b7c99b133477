// The interaction form: show only the services of the department chosen as provider.
// Without JavaScript every service stays listed, grouped by department; the server refuses a
// service of another department either way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-service-filter]");
  if (!form) { return; }
  var provider = form.querySelector("select[name=provider]");
  var service = form.querySelector("select[name=service]");
  if (!provider || !service) { return; }
  function filter() {
    var chosen = provider.value;
    Array.prototype.forEach.call(service.querySelectorAll("optgroup"), function (group) {
      var any = false;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
        var mine = option.getAttribute("data-provider") === chosen;
        option.hidden = !mine;
        option.disabled = !mine;
        any = any || mine;
      });
      group.hidden = !any;
    });
    var selected = service.options[service.selectedIndex];
    if (selected && selected.disabled) { service.value = ""; }
  }
  provider.addEventListener("change", filter);
  filter();
}());
