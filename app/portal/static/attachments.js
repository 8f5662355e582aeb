"use strict";
/* A courtesy check before sending (size and extension), so a phone does not upload 50 MB only to be refused; the
   server checks again by content, with the same limits. */
(function () {
  var form = document.getElementById("upload-form");
  var input = document.getElementById("file");
  var message = document.getElementById("file-error");
  function refuse(text) {
    message.textContent = text;
    message.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "file-error file-hint");
  }
  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    var max = Number(form.dataset.maxBytes);
    var allowed = form.dataset.accept.split(",");
    var dot = file ? file.name.lastIndexOf(".") : -1;
    var ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    var problem = !file ? "请选择要上传的文件"
      : file.size > max ? "文件超过大小上限（" + form.dataset.maxLabel + "），请压缩或拆分后上传"
      : allowed.indexOf(ext) < 0 ? "不支持此类文件，可选类型：" + allowed.join("、") : "";
    if (problem) {
      event.preventDefault();
      refuse(problem);
      input.focus();
    }
  });
})();
