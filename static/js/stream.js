/* Cercle live: one websocket to /ws/stream/ per page, for a logged-in member.
 *
 * - Reconnects with exponential backoff and jitter (1 s, doubling, 30 s at most) and
 *   resumes with ?last_event_id= of the last personal event seen (kept in
 *   sessionStorage too), so nothing is missed; on "resync" the page reloads, or offers
 *   to when the member is typing.
 * - A socket silent for two heartbeat periods is taken for dead and replaced.
 * - Stream pages show "N new posts — show"; the bell follows the unread count; a post
 *   page shows new comments; reaction counts follow; a conversation shows new messages;
 *   the announcements banner appears, and goes once the member has acknowledged (on any
 *   page or device), as does the post page's Acknowledge button.
 * The page works without this file: everything here only saves a reload.
 * window.cercleStream tells the socket's state (used by the browser tests).
 */
(function () {
  "use strict";

  var configElement = document.getElementById("cercle-stream-config");
  if (!configElement || !("WebSocket" in window)) return;
  var config;
  try {
    config = JSON.parse(configElement.textContent);
  } catch (error) {
    return;
  }
  var texts = config.texts || {};

  var STORAGE_KEY = "cercle:stream:last-event-id";
  var RESYNC_KEY = "cercle:stream:resynced-at";
  var FIRST_DELAY = 1000;
  var LONGEST_DELAY = 30000;
  var CLOSE_UNAUTHENTICATED = 4401;
  var heartbeat = Math.max(1, Number(config.heartbeat_seconds) || 25) * 1000;

  var state = {
    socket: null,
    connected: false,
    lastEventId: initialEventId(),
    attempts: 0,
    connections: 0,
    url: null,
    lastFrameAt: 0,
    stopped: false,
    newPosts: 0,
    subscribed: new Set(),
  };
  var reconnectTimer = null;
  var countedPosts = new Set();

  // --- Resuming ------------------------------------------------------------------------

  function storedEventId() {
    try {
      var value = window.sessionStorage.getItem(STORAGE_KEY);
      return value && /^\d+$/.test(value) ? Number(value) : null;
    } catch (error) {
      return null;
    }
  }

  // The page was rendered with the member's newest event id: the socket resumes after it
  // (what the page shows includes everything before). Without it, what this tab saw last.
  function initialEventId() {
    if (!("last_event_id" in config)) return storedEventId();
    return Number.isInteger(config.last_event_id) ? config.last_event_id : null;
  }

  function remember(eventId) {
    state.lastEventId = eventId;
    try {
      if (eventId === null) window.sessionStorage.removeItem(STORAGE_KEY);
      else window.sessionStorage.setItem(STORAGE_KEY, String(eventId));
    } catch (error) {
      /* storage refused (private mode): the id stays in memory */
    }
  }

  // --- The socket ----------------------------------------------------------------------

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    // No event yet: 0 asks for everything the member has, which is what arrived since
    // the page was rendered (or "resync" with nothing newer: nothing was missed).
    var after = state.lastEventId === null ? 0 : state.lastEventId;
    return scheme + "//" + window.location.host + config.path + "?last_event_id=" + after;
  }

  function connect() {
    if (state.stopped || state.socket) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    state.url = socketUrl();
    var socket = new WebSocket(state.url);
    state.socket = socket;
    socket.onopen = function () {
      if (state.socket !== socket) return;
      state.connected = true;
      state.connections += 1;
      state.lastFrameAt = Date.now();
      send(socket, { type: "ping" }); // its answer shows the connection works
      subscribe(socket);
    };
    socket.onmessage = function (message) {
      if (state.socket !== socket) return;
      state.lastFrameAt = Date.now();
      state.attempts = 0; // the server answers: the next drop starts the delays over
      var frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (frame && typeof frame === "object") receive(frame);
    };
    socket.onclose = function (closed) {
      if (state.socket !== socket) return;
      dropped(closed.code);
    };
  }

  function dropped(code) {
    var socket = state.socket;
    state.socket = null;
    state.connected = false;
    state.subscribed.clear();
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      try {
        socket.close();
      } catch (error) {
        /* already closed */
      }
    }
    if (code === CLOSE_UNAUTHENTICATED) {
      state.stopped = true; // logged out or session expired: the next page load says so
      return;
    }
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (state.stopped || reconnectTimer !== null) return;
    var ceiling = Math.min(LONGEST_DELAY, FIRST_DELAY * Math.pow(2, state.attempts));
    state.attempts += 1;
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function reconnectNow() {
    if (state.stopped || state.socket) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    connect();
  }

  function send(socket, frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function subscribe(socket) {
    var post = document.querySelector("[data-live-post]");
    if (post && post.dataset.livePost) {
      send(socket, { type: "subscribe", post_id: Number(post.dataset.livePost) });
    }
    // A public community's page, read by someone who has not joined it.
    var stream = document.querySelector("[data-live-stream]");
    if (stream && stream.dataset.liveStream) {
      send(socket, { type: "subscribe", community_id: Number(stream.dataset.liveStream) });
    }
  }

  // No frame for two heartbeat periods: the connection died without closing.
  setInterval(function () {
    if (state.socket && state.connected && Date.now() - state.lastFrameAt > 2 * heartbeat) {
      dropped(null);
    }
  }, Math.min(heartbeat, 5000));

  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") reconnectNow();
  });
  window.addEventListener("pagehide", function () {
    state.stopped = true;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (state.socket) {
      var socket = state.socket;
      state.socket = null;
      state.connected = false;
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close(1000);
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    state.stopped = false;
    state.attempts = 0;
    connect();
  });

  // --- Events --------------------------------------------------------------------------

  function receive(frame) {
    if (frame.type === "resync") {
      resync(frame.data || {});
      return;
    }
    if (frame.type === "subscribed" || frame.type === "unsubscribed") {
      var key = frame.post_id ? "post:" + frame.post_id : "community:" + frame.community_id;
      if (frame.type === "subscribed") state.subscribed.add(key);
      else state.subscribed.delete(key);
      return;
    }
    if (!("id" in frame) || !frame.type || !frame.data) return; // heartbeat, pong, ...
    if (Number.isInteger(frame.id)) {
      // A personal event: each is handled once, in order.
      if (state.lastEventId !== null && frame.id <= state.lastEventId) return;
      remember(frame.id);
    }
    var handle = handlers[frame.type];
    if (handle) handle(frame.data);
  }

  var handlers = {
    "post.created": function (data) {
      var region = document.querySelector("[data-live-stream]");
      if (!region || data.author_id === config.user_id || countedPosts.has(data.post_id)) return;
      var community = region.dataset.liveStream;
      if (community && Number(community) !== data.community_id) return;
      countedPosts.add(data.post_id);
      state.newPosts += 1;
      showNewPosts();
    },
    "notification.created": function (data) {
      if (data.new) setUnread(unread() + 1);
    },
    "notification.read": function (data) {
      if (Number.isInteger(data.unread_count)) setUnread(data.unread_count);
    },
    unread_count: function (data) {
      if (Number.isInteger(data.count)) setUnread(data.count);
    },
    "comment.created": function (data) {
      var thread = document.querySelector("[data-live-post]");
      if (thread && Number(thread.dataset.livePost) === data.post_id) refreshComments();
    },
    "message.created": function (data) {
      var conversation = document.querySelector("[data-live-conversation]");
      if (conversation && Number(conversation.dataset.liveConversation) === data.conversation_id) {
        pollMessages();
      }
    },
    "reaction.changed": showReaction,
    "announcement.created": function (data) {
      if (data.requires_acknowledgement) refreshAnnouncements([BANNER_ID, LIST_ID]);
    },
    "announcement.acknowledged": acknowledged,
  };

  // What was missed cannot be replayed: reload the page, unless the member is typing.
  function resync(data) {
    var latest = Number.isInteger(data.last_event_id) ? data.last_event_id : null;
    var nothingMissed = latest === state.lastEventId || (latest === null && state.lastEventId === 0);
    remember(latest);
    if (nothingMissed) return;
    if (formIsBeingEdited() || reloadedJustNow()) {
      offerReload();
      return;
    }
    try {
      window.sessionStorage.setItem(RESYNC_KEY, String(Date.now()));
    } catch (error) {
      /* reloadedJustNow() says true without storage: no loop */
    }
    window.location.reload();
  }

  // A page reloaded for a resync less than 30 s ago offers to reload rather than loop.
  function reloadedJustNow() {
    try {
      return Date.now() - Number(window.sessionStorage.getItem(RESYNC_KEY) || 0) < 30000;
    } catch (error) {
      return true;
    }
  }

  function formIsBeingEdited() {
    var fields = document.querySelectorAll("main textarea, main input, main select");
    for (var index = 0; index < fields.length; index += 1) {
      var field = fields[index];
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") continue;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.tagName === "SELECT") {
        if (selectChanged(field)) return true;
      } else if (field.type !== "file" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function selectChanged(select) {
    var options = Array.from(select.options);
    var marked = options.some(function (option) {
      return option.defaultSelected;
    });
    return options.some(function (option, index) {
      // Nothing marked selected: a single choice list starts on its first option.
      var initially = marked ? option.defaultSelected : !select.multiple && index === 0;
      return option.selected !== initially;
    });
  }

  function offerReload() {
    if (document.getElementById("live-catch-up")) return;
    var main = document.getElementById("main");
    if (!main) return;
    var notice = document.createElement("p");
    notice.id = "live-catch-up";
    notice.className = "live-notice";
    notice.setAttribute("role", "status");
    var text = document.createElement("span");
    text.textContent = texts.catch_up || "";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary outline small";
    button.textContent = texts.reload || "";
    button.addEventListener("click", function () {
      window.location.reload();
    });
    notice.append(text, " ", button);
    main.prepend(notice);
  }

  // --- Texts -------------------------------------------------------------------------

  function plural(forms, count) {
    var form = count === 1 ? forms.one : forms.other;
    return String(form || "").replace("{n}", String(count));
  }

  // --- New posts on a stream page -----------------------------------------------------

  function showNewPosts() {
    var button = document.querySelector("[data-live-new-posts]");
    if (!button) return;
    button.textContent = plural(texts.new_posts || {}, state.newPosts);
    button.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-live-new-posts]");
    if (!button) return;
    event.preventDefault();
    var url = new URL(window.location.href);
    if (url.searchParams.has("page")) {
      // The new posts are on the first page.
      url.searchParams.delete("page");
      window.location.assign(url.toString());
      return;
    }
    swapFromPage(window.location.href, ["stream-posts"]).then(function (swapped) {
      if (!swapped) return;
      state.newPosts = 0;
      countedPosts.clear();
      button.hidden = true;
      button.textContent = "";
      var first = document.querySelector("#stream-posts h3 a, #stream-posts a");
      if (first) first.focus();
    });
  });

  // Replaces the content of each element of ``ids`` with the same element's content in
  // a fresh copy of ``url``. Resolves to whether it did.
  function swapFromPage(url, ids) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var swapped = false;
        ids.forEach(function (id) {
          var current = document.getElementById(id);
          var replacement = fresh.getElementById(id);
          if (!current || !replacement) return;
          current.innerHTML = replacement.innerHTML;
          if (window.htmx) window.htmx.process(current);
          swapped = true;
        });
        return swapped;
      })
      .catch(function () {
        return false;
      });
  }

  // --- The bell ------------------------------------------------------------------------

  function bellLink() {
    return document.querySelector("#nav-bell a[data-unread]");
  }

  function unread() {
    var link = bellLink();
    var count = link ? Number(link.dataset.unread) : 0;
    return Number.isFinite(count) ? count : 0;
  }

  function setUnread(count) {
    var link = bellLink();
    if (!link) return;
    count = Math.max(0, count);
    link.dataset.unread = String(count);
    link.setAttribute("aria-label", count ? plural(texts.bell || {}, count) : texts.bell_none || "");
    var badge = link.querySelector(".bell-badge");
    if (!count) {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "bell-badge";
      badge.setAttribute("aria-hidden", "true");
      link.append(badge);
    }
    badge.textContent = count > 99 ? "99+" : String(count);
  }

  // --- Comments on a post page --------------------------------------------------------

  var commentsLoading = false;
  var commentsAgain = false;

  function replying(thread) {
    var fields = thread.querySelectorAll("textarea, input[type=text]");
    for (var index = 0; index < fields.length; index += 1) {
      if (fields[index].value || fields[index] === document.activeElement) return true;
    }
    return false;
  }

  function refreshComments() {
    var thread = document.getElementById("comment-thread");
    if (!thread) return;
    if (replying(thread)) {
      offerComments(thread);
      return;
    }
    if (commentsLoading) {
      commentsAgain = true;
      return;
    }
    commentsLoading = true;
    swapFromPage(window.location.pathname, ["comment-thread"]).then(function () {
      commentsLoading = false;
      var notice = document.getElementById("live-new-comments");
      if (notice) notice.remove();
      if (commentsAgain) {
        commentsAgain = false;
        refreshComments();
      }
    });
  }

  // The member is writing a reply in the thread: the new comments wait for a click.
  function offerComments(thread) {
    if (document.getElementById("live-new-comments")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.id = "live-new-comments";
    button.className = "secondary outline small live-new-comments";
    button.textContent = texts.new_comments || "";
    button.addEventListener("click", function () {
      button.remove();
      swapFromPage(window.location.pathname, ["comment-thread"]);
    });
    thread.before(button);
  }

  // --- Reactions ------------------------------------------------------------------------

  // Each reaction button of a post or comment (communities/partials/reactions.html) shows
  // its count; the member's own reactions, made in another tab, show as pressed too.
  function showReaction(data) {
    var scope = Number.isInteger(data.comment_id) ? "comment" : "post";
    var target = scope === "comment" ? data.comment_id : data.post_id;
    if (!Number.isInteger(target) || !Number.isInteger(data.count)) return;
    var button = document.getElementById("react-" + scope + "-" + target + "-" + data.kind);
    if (!button) return;
    var count = button.querySelector(".reaction-count");
    if (count) count.textContent = String(Math.max(0, data.count));
    if (data.user_id === config.user_id && typeof data.reacted === "boolean") {
      button.setAttribute("aria-pressed", String(data.reacted));
      button.classList.toggle("reaction--mine", data.reacted);
    }
  }

  // --- Messages in a conversation -----------------------------------------------------

  // The page's poller asks for the messages after the last one shown; a message event
  // makes it ask at once. A request already under way may have missed the new message:
  // ask again when it ends.
  var messagesSeen = 0;
  var messagesAskedFor = 0;

  function pollMessages() {
    messagesSeen += 1;
    askForMessages();
  }

  function askForMessages() {
    var poller = document.getElementById("message-poller");
    if (poller && window.htmx) window.htmx.trigger(poller, "cercle:message");
  }

  function fromConversation(event) {
    var source = event.detail && event.detail.elt;
    return Boolean(source && (source.id === "message-poller" || source.id === "reply-form"));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (fromConversation(event)) messagesAskedFor = messagesSeen;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (fromConversation(event) && messagesSeen > messagesAskedFor) {
      setTimeout(askForMessages, 0);
    }
  });

  // --- Announcements ---------------------------------------------------------------------

  var BANNER_ID = "announcement-banner-region";
  var LIST_ID = "announcement-list-region"; // the page of every pending announcement
  var announcementsLoading = false;
  var announcementsAgain = new Set();

  // Swaps in the fresh state of the regions of ``ids`` that are on the page, one fetch at
  // a time: what is asked for meanwhile is fetched after, so the newest state wins.
  function refreshAnnouncements(ids) {
    ids = ids.filter(function (id) {
      return document.getElementById(id);
    });
    if (!ids.length) return;
    if (announcementsLoading) {
      ids.forEach(function (id) {
        announcementsAgain.add(id);
      });
      return;
    }
    announcementsLoading = true;
    swapFromPage(window.location.href, ids).then(function () {
      announcementsLoading = false;
      if (announcementsAgain.size) {
        var again = Array.from(announcementsAgain);
        announcementsAgain.clear();
        refreshAnnouncements(again);
      }
    });
  }

  // The member acknowledged ``data.post_id`` on this page, another one or another device.
  // The places still asking for it are refreshed: the banner (and its "N more"), the list
  // of pending announcements, the post page's Acknowledge button. The page where it was
  // pressed shows it by itself (htmx swaps in "Acknowledged", which must stay in view).
  function acknowledged(data) {
    var postId = data.post_id;
    if (!Number.isInteger(postId)) return;
    var forms = document.querySelectorAll('form[data-acknowledge="' + postId + '"]');
    for (var index = 0; index < forms.length; index += 1) {
      if (forms[index].classList.contains("htmx-request")) return;
    }
    var ids = [];
    var banner = document.getElementById(BANNER_ID);
    if (banner && banner.querySelector(".announcement-banner") && !showsDone(banner, postId)) {
      ids.push(BANNER_ID);
    }
    var list = document.getElementById(LIST_ID);
    if (list && !showsDone(list, postId)) ids.push(LIST_ID);
    var action = document.getElementById("announcement-ack-action-" + postId);
    if (action && action.querySelector("form")) ids.push(action.id);
    refreshAnnouncements(ids);
  }

  // Whether ``region`` lists ``postId`` as acknowledged already: its item has no form left
  // (its class says so only once htmx has settled the swap).
  function showsDone(region, postId) {
    var item = region.querySelector("#announcement-pending-" + postId);
    return Boolean(item && !item.querySelector("form"));
  }

  // --- For the tests and the curious ----------------------------------------------------

  window.cercleStream = {
    get connected() {
      return state.connected;
    },
    get lastEventId() {
      return state.lastEventId;
    },
    get socket() {
      return state.socket;
    },
    get url() {
      return state.url;
    },
    get connections() {
      return state.connections;
    },
    get newPosts() {
      return state.newPosts;
    },
    get subscribed() {
      return Array.from(state.subscribed);
    },
  };

  connect();
})();
