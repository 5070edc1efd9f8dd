//! The console's signals and the API calls that fill them. Views read signals
//! and call these methods; the decisions live in the crate's plain modules.

use std::cell::RefCell;
use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use waymark_core::wire::ClientEvent;

use crate::api::{self, ApiError};
use crate::live::{self, LiveStream, Pushed};
use crate::model::{Member, QueueCounts, QueueEntry, Session, TicketDetail, User};
use crate::queue::{QueueFilter, QueueState, Step, encode};

thread_local! {
    static STREAM: RefCell<Option<LiveStream>> = const { RefCell::new(None) };
}

/// A dialog over the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialog {
    /// Escalate up a tier.
    Escalate,
    /// Transfer to another team.
    Transfer,
    /// Give the ticket an owner.
    Assign,
    /// Add a collaborator.
    Collaborator,
    /// Resolve with the resolution capture.
    Resolve,
    /// Reopen a resolved ticket.
    Reopen,
    /// Edit and confirm the handoff note.
    EditNote,
    /// Change the password.
    Password,
    /// The keyboard shortcuts.
    Help,
}

/// What the composer sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Composer {
    /// A reply the customer sees.
    Reply,
    /// An internal note, agents only.
    Note,
}

/// The main area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Queue and ticket.
    Tickets,
    /// The site's settings (admins).
    Settings,
    /// Drafts, gaps and article performance.
    Knowledge,
    /// Metrics, the rules review and the matrix replay.
    Reports,
    /// Early-warning alerts and incidents.
    Alerts,
}

/// Every signal of the console. `Copy`: components take it by value.
#[derive(Clone, Copy)]
pub struct Console {
    /// Whether the session check at start finished.
    pub checked: RwSignal<bool>,
    /// The signed-in user and CSRF token.
    pub session: RwSignal<Option<Session>>,
    /// The site worked on.
    pub site: RwSignal<Option<String>>,
    /// The queue filter.
    pub filter: RwSignal<QueueFilter>,
    /// The queue rows.
    pub queue: RwSignal<QueueState>,
    /// The filter counts.
    pub counts: RwSignal<QueueCounts>,
    /// The open ticket.
    pub open: RwSignal<Option<String>>,
    /// Its detail.
    pub detail: RwSignal<Option<TicketDetail>>,
    /// Its session's page events.
    pub events: RwSignal<Vec<ClientEvent>>,
    /// The knowledge base's answers for it (`None` until they arrive).
    pub answers: RwSignal<Option<crate::answers::TicketAnswers>>,
    /// What the composer holds (an inserted answer lands here).
    pub draft: RwSignal<String>,
    /// The clock the countdowns read, ticking every second.
    pub now: RwSignal<i64>,
    /// The open dialog.
    pub dialog: RwSignal<Option<Dialog>>,
    /// The last error or confirmation.
    pub flash: RwSignal<Option<(bool, String)>>,
    /// What the composer sends.
    pub composer: RwSignal<Composer>,
    /// A request to focus the composer (counter).
    pub focus_composer: RwSignal<u32>,
    /// The main area.
    pub screen: RwSignal<Screen>,
    /// Whether new tickets raise a (silent) browser notification.
    pub notify: RwSignal<bool>,
    /// Whether the live stream is connected.
    pub live: RwSignal<bool>,
    /// The site's members (names of owners and collaborators, the assign picker).
    pub members: RwSignal<Vec<Member>>,
    known: StoredValue<Option<HashSet<String>>>,
}

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

impl Console {
    /// Fresh signals.
    pub fn new() -> Self {
        Self {
            checked: RwSignal::new(false),
            session: RwSignal::new(None),
            site: RwSignal::new(None),
            filter: RwSignal::new(QueueFilter::default()),
            queue: RwSignal::new(QueueState::default()),
            counts: RwSignal::new(QueueCounts::default()),
            open: RwSignal::new(None),
            detail: RwSignal::new(None),
            events: RwSignal::new(Vec::new()),
            answers: RwSignal::new(None),
            draft: RwSignal::new(String::new()),
            now: RwSignal::new(now_ms()),
            dialog: RwSignal::new(None),
            flash: RwSignal::new(None),
            composer: RwSignal::new(Composer::Reply),
            focus_composer: RwSignal::new(0),
            screen: RwSignal::new(Screen::Tickets),
            notify: RwSignal::new(false),
            live: RwSignal::new(false),
            members: RwSignal::new(Vec::new()),
            known: StoredValue::new(None),
        }
    }

    /// Whether someone is signed in.
    pub fn signed_in(&self) -> bool {
        self.session.with(Option::is_some)
    }

    /// The signed-in user.
    pub fn user(&self) -> Option<User> {
        self.session.with(|s| s.as_ref().map(|s| s.user.clone()))
    }

    /// A user id in words: "you" for the signed-in user.
    pub fn name_of(&self, id: &str) -> Option<String> {
        let me = self.session.with_untracked(|s| {
            s.as_ref()
                .filter(|s| s.user.id == id)
                .map(|s| format!("{} (you)", display_name(&s.user)))
        });
        me.or_else(|| {
            self.members.with_untracked(|members| {
                members.iter().find(|m| m.id == id).map(|m| {
                    if m.name.trim().is_empty() {
                        m.email.clone()
                    } else {
                        m.name.clone()
                    }
                })
            })
        })
    }

    /// Shows an error or a confirmation.
    pub fn say(&self, ok: bool, text: impl Into<String>) {
        self.flash.set(Some((ok, text.into())));
    }

    /// Checks the cookie's session at start.
    pub fn restore_session(self) {
        spawn_local(async move {
            if let Ok(session) = api::get::<Session>("/api/v1/auth/me").await {
                self.signed(session);
            }
            self.checked.set(true);
        });
    }

    /// After a login or a session check: remember the CSRF token, pick the
    /// site, load the queue and listen for changes.
    pub fn signed(self, session: Session) {
        api::set_csrf(session.csrf_token.clone());
        let site = session.user.sites.first().map(|s| s.id.clone());
        self.session.set(Some(session));
        self.site.set(site);
        self.notify.set(crate::app::shell::notifications_on());
        self.refresh_queue();
        self.load_members();
        self.listen();
    }

    fn load_members(self) {
        let Some(base) = self.site_path() else {
            return;
        };
        spawn_local(async move {
            if let Ok(members) = api::get::<Vec<Member>>(&format!("{base}/members")).await {
                self.members.set(members);
            }
        });
    }

    /// Signs out and forgets everything.
    pub fn sign_out(self) {
        spawn_local(async move {
            let _ = api::send::<serde_json::Value>("POST", "/api/v1/auth/logout", None).await;
            STREAM.with(|s| s.borrow_mut().take());
            api::set_csrf(None);
            self.session.set(None);
            self.site.set(None);
            self.open.set(None);
            self.detail.set(None);
            self.queue.set(QueueState::default());
            self.known.set_value(None);
            self.live.set(false);
        });
    }

    /// `/api/v1/sites/{site}` of the site worked on.
    pub fn site_path(&self) -> Option<String> {
        self.site
            .get_untracked()
            .map(|site| format!("/api/v1/sites/{}", encode(&site)))
    }

    fn listen(self) {
        let Some(site) = self.site.get_untracked() else {
            return;
        };
        let stream = live::open(&site, move |pushed| match pushed {
            Pushed::Resync => {
                self.refresh_queue();
                self.refresh_detail();
            }
            Pushed::Change(change) => {
                self.live.set(true);
                self.refresh_queue();
                let open_conversation = self
                    .detail
                    .with_untracked(|d| d.as_ref().map(|d| d.ticket.conversation_id.clone()));
                if open_conversation.as_deref() == Some(change.conversation_id.as_str()) {
                    self.refresh_detail();
                }
            }
        });
        self.live.set(stream.is_some());
        STREAM.with(|s| *s.borrow_mut() = stream);
    }

    /// Reloads the first page of the queue and the counts.
    pub fn refresh_queue(self) {
        let Some(base) = self.site_path() else {
            return;
        };
        let query = self.filter.get_untracked().query(None);
        spawn_local(async move {
            match api::get_page::<Vec<QueueEntry>>(&format!("{base}/tickets?{query}")).await {
                Ok(page) => {
                    self.announce_new(&page.body);
                    self.queue
                        .update(|q| q.replace(page.body, page.next_cursor));
                }
                Err(err) => self.failed(&err),
            }
            match api::get::<QueueCounts>(&format!("{base}/tickets/counts?{query}")).await {
                Ok(counts) => self.counts.set(counts),
                Err(err) => self.failed(&err),
            }
        });
    }

    /// Loads the next page of the queue.
    pub fn load_more(self) {
        let (Some(base), Some(cursor)) = (
            self.site_path(),
            self.queue.with_untracked(|q| q.next_cursor.clone()),
        ) else {
            return;
        };
        let query = self.filter.get_untracked().query(Some(&cursor));
        spawn_local(async move {
            match api::get_page::<Vec<QueueEntry>>(&format!("{base}/tickets?{query}")).await {
                Ok(page) => self.queue.update(|q| q.append(page.body, page.next_cursor)),
                Err(err) => self.failed(&err),
            }
        });
    }

    /// Raises a silent notification for tickets not seen before (not on the
    /// first load).
    fn announce_new(&self, entries: &[QueueEntry]) {
        let ids: HashSet<String> = entries.iter().map(|e| e.ticket.id.clone()).collect();
        let before = self.known.get_value();
        if let Some(before) = &before
            && self.notify.get_untracked()
        {
            for entry in entries.iter().filter(|e| !before.contains(&e.ticket.id)) {
                crate::app::shell::notify_new_ticket(&entry.ticket.subject);
            }
        }
        let mut all = before.unwrap_or_default();
        all.extend(ids);
        self.known.set_value(Some(all));
    }

    /// Moves the queue selection.
    pub fn step(&self, step: Step) {
        self.queue.update(|q| q.step(step));
    }

    /// Opens `ticket_id`.
    pub fn open_ticket(self, ticket_id: String) {
        self.queue.update(|q| q.selected = Some(ticket_id.clone()));
        self.open.set(Some(ticket_id));
        self.detail.set(None);
        self.events.set(Vec::new());
        self.answers.set(None);
        self.draft.set(String::new());
        self.screen.set(Screen::Tickets);
        self.refresh_detail();
    }

    /// Reloads the open ticket and its session's page events.
    pub fn refresh_detail(self) {
        let (Some(base), Some(id)) = (self.site_path(), self.open.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            let detail =
                match api::get::<TicketDetail>(&format!("{base}/tickets/{}", encode(&id))).await {
                    Ok(detail) => detail,
                    Err(err) => return self.failed(&err),
                };
            let session = detail.customer.session_id.clone();
            self.detail.set(Some(detail));
            if self.answers.get_untracked().is_none() {
                let path = format!("{base}/tickets/{}/answers?limit=5", encode(&id));
                // Without a knowledge index the panel just stays empty.
                let answers = api::get::<crate::answers::TicketAnswers>(&path)
                    .await
                    .unwrap_or_default();
                self.answers.set(Some(answers));
            }
            let Some(session) = session else {
                return;
            };
            let path = format!("{base}/sessions/{}/events?limit=500", encode(&session));
            if let Ok(raw) = api::get::<Vec<serde_json::Value>>(&path).await {
                let events = raw
                    .into_iter()
                    .filter_map(|v| serde_json::from_value::<ClientEvent>(v).ok())
                    .collect();
                self.events.set(events);
            }
        });
    }

    /// Runs an action on the open ticket (`tail` after `/tickets/{id}`), then
    /// reloads it; `done` runs on success.
    pub fn act(
        self,
        method: &'static str,
        tail: String,
        body: Option<serde_json::Value>,
        done: impl FnOnce() + 'static,
    ) {
        let (Some(base), Some(id)) = (self.site_path(), self.open.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            let path = format!("{base}/tickets/{}{tail}", encode(&id));
            match api::send::<serde_json::Value>(method, &path, body.as_ref()).await {
                Ok(_) => {
                    self.flash.set(None);
                    done();
                    self.refresh_detail();
                    self.refresh_queue();
                }
                Err(err) => self.failed(&err),
            }
        });
    }

    /// Shows a failed call; a lost session goes back to the login.
    pub fn failed(&self, err: &ApiError) {
        if err.status == 401 {
            api::set_csrf(None);
            self.session.set(None);
            return;
        }
        self.say(false, err.message.clone());
    }
}

/// A user's name, or their login when they have none.
pub fn display_name(user: &User) -> String {
    if user.name.trim().is_empty() {
        user.email.clone()
    } else {
        user.name.clone()
    }
}
