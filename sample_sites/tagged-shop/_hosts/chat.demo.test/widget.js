// A chat widget: its conversation id lives for 30 days, though the policy promises a day.
document.cookie = 'chat_conversation=' + Date.now() + '; max-age=2592000; path=/';
localStorage.setItem('chat_open', 'false');
