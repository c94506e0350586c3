// An analytics pixel: a first-party cookie for a year, and a beacon home.
document.cookie = '_demo_uid=' + Math.random().toString(36).slice(2) + '; max-age=31536000; path=/';
navigator.sendBeacon('http://vendor.demo.test/collect', JSON.stringify({page: location.pathname}));
