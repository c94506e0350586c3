// The tag manager: injects a vendor's pixel that the site's policy never mentions.
(function (d) {
  var s = d.createElement('script');
  s.src = 'http://vendor.demo.test/pixel.js';
  d.head.appendChild(s);
})(document);
