//! The panel as Leptos components drawn from the [`Model`] signal. The panel
//! is one reactive view of the model: when the model changes, Leptos rebuilds
//! it in place (the same elements, only changed text and attributes touched),
//! so what the user is typing and where the focus is stay. Every control sends
//! a typed [`Act`]; text is set as text nodes and attributes by Leptos: no
//! markup is built from strings. (One view function per screen keeps the wasm
//! small: each distinct reactive piece costs code.)

use leptos::either::EitherOf4;
use leptos::prelude::*;

use super::Wiring;
use super::actions::Act;
use crate::model::{Model, safe_url};
use crate::panel::{Answer, Author, Delivery, Message, Screen};
use crate::strings::Strings;

/// A click handler that sends `act`: one handler type for every button, so
/// the wasm carries one copy of Leptos' listener code instead of one per button.
fn click(w: Wiring, act: Act) -> impl FnMut(leptos::ev::MouseEvent) + 'static {
    move |_| w.send(act.clone())
}

/// What happens to a form field once read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// It keeps what the user typed.
    AsTyped,
    /// It is emptied (a reply box, ready for the next message).
    Cleared,
}

/// The value of the field `name` of the form a submit event came from (empty
/// when there is no such field).
fn take_field(event: &leptos::ev::SubmitEvent, name: &str, keep: Keep) -> String {
    use wasm_bindgen::{JsCast, JsValue};
    let Some(form) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return String::new();
    };
    let value = JsValue::from_str("value");
    let Some(field) = js_sys::Reflect::get(&form.elements(), &JsValue::from_str(name))
        .ok()
        .filter(|f| f.is_object())
    else {
        return String::new();
    };
    let text = js_sys::Reflect::get(&field, &value)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if keep == Keep::Cleared {
        let _ = js_sys::Reflect::set(&field, &value, &JsValue::from_str(""));
    }
    text
}

/// The live region, the panel (when open) and the launcher.
pub fn frame(w: Wiring) -> impl IntoView {
    let open = move || w.model.with(|m| m.open);
    view! {
        <div class="wm-live" role="status" aria-live="polite">
            {move || w.model.with(|m| m.announced.clone())}
        </div>
        {move || {
            let s = w.strings();
            w.model.with(|m| m.open.then(|| panel(w, s, m)))
        }}
        <button
            class="wm-launcher"
            aria-expanded=move || if open() { "true" } else { "false" }
            aria-label=move || {
                let s = w.strings();
                if open() { s.close } else { s.open }
            }
            on:click=click(w, Act::Toggle)
        >
            "?"
        </button>
    }
}

fn panel(w: Wiring, s: &'static Strings, m: &Model) -> impl IntoView + use<> {
    let back = (m.screen != Screen::Ask).then(|| {
        view! {
            <button class="wm-icon wm-back" aria-label=s.back on:click=click(w, Act::Back)>
                "‹"
            </button>
        }
    });
    let screen = match m.screen {
        Screen::Ask => EitherOf4::A(ask(w, s, m)),
        Screen::Article(_) => EitherOf4::B(article(w, s, m)),
        Screen::Escalate => EitherOf4::C(form(w, s, m)),
        Screen::Conversation => EitherOf4::D(conversation(w, s, m)),
    };
    view! {
        <section
            class="wm-panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby="wm-title"
            on:keydown=move |event| w.send(Act::Key(event))
        >
            <header class="wm-head">
                {back}
                <h2 id="wm-title">{s.title}</h2>
                <button class="wm-icon wm-close" aria-label=s.close on:click=click(w, Act::Close)>
                    "×"
                </button>
            </header>
            {screen}
            <p class="wm-note" role="alert">
                {m.note.unwrap_or("")}
            </p>
        </section>
    }
}

fn ask(w: Wiring, s: &'static Strings, m: &Model) -> impl IntoView + use<> {
    let nudge = m
        .nudged
        .then(|| view! { <p class="wm-nudge">{s.nudge}</p> });
    let answers: Vec<_> = m
        .answers
        .iter()
        .enumerate()
        .map(|(index, answer)| answer_item(w, s, index, answer))
        .collect();
    view! {
        {nudge}
        <label class="wm-label" for="wm-q">
            {s.ask}
        </label>
        <input
            id="wm-q"
            class="wm-input"
            type="text"
            autocomplete="off"
            value=m.typed.clone()
            on:input=move |event| w.send(Act::Typed(event_target_value(&event)))
        />
        <ul class="wm-answers">{answers}</ul>
        <button class="wm-secondary wm-talk" on:click=click(w, Act::Talk)>
            {s.talk}
        </button>
    }
}

fn answer_item(
    w: Wiring,
    s: &'static Strings,
    index: usize,
    answer: &Answer,
) -> impl IntoView + use<> {
    let likely = answer
        .is_likely()
        .then(|| view! { <span class="wm-badge">{s.likely}</span> });
    view! {
        <li>
            <button class="wm-answer" on:click=click(w, Act::Article(index))>
                <strong>{answer.title.clone()}</strong>
                {likely}
                <span>{answer.snippet.clone()}</span>
            </button>
        </li>
    }
}

fn article(w: Wiring, s: &'static Strings, m: &Model) -> impl IntoView + use<> {
    m.open_article().map(|answer| {
        let link = answer.url.as_deref().and_then(safe_url).map(|url| {
            view! {
                <a href=url.to_owned() target="_blank" rel="noopener">
                    {s.read_more}
                </a>
            }
        });
        let id = answer.id.clone();
        view! {
            <article class="wm-article">
                <h3>{answer.title.clone()}</h3>
                <p>{answer.snippet.clone()}</p>
                {link}
            </article>
            <div class="wm-row">
                <button class="wm-primary wm-solved" on:click=click(w, Act::Solved(id))>
                    {s.solved}
                </button>
                <button class="wm-secondary wm-talk" on:click=click(w, Act::Talk)>
                    {s.talk}
                </button>
            </div>
        }
    })
}

fn form(w: Wiring, s: &'static Strings, m: &Model) -> impl IntoView + use<> {
    let prefill = &m.prefill;
    let error = prefill
        .error
        .clone()
        .map(|error| view! { <li>{s.error}": "{error}</li> });
    let tried = (!prefill.tried.is_empty())
        .then(|| view! { <li>{s.tried}": "{prefill.tried.join("; ")}</li> });
    let email_field = m.asks_email().then(|| {
        view! {
            <label class="wm-label" for="wm-email">
                {s.email}
            </label>
            <input
                id="wm-email"
                name="email"
                class="wm-input"
                type="email"
                autocomplete="email"
            />
        }
    });
    view! {
        <form
            class="wm-form wm-start"
            on:submit=move |event| {
                event.prevent_default();
                w.send(Act::Start {
                    goal: take_field(&event, "goal", Keep::AsTyped),
                    email: take_field(&event, "email", Keep::AsTyped),
                });
            }
        >
            <h3>{s.form_title}</h3>
            <p>{s.we_know}</p>
            <ul class="wm-known">
                <li>{s.page}": "{prefill.page.clone()}</li>
                {error}
                {tried}
            </ul>
            <label class="wm-label" for="wm-goal">
                {s.goal}
            </label>
            <textarea id="wm-goal" name="goal" class="wm-input" rows="3" required>
                {prefill.question.clone()}
            </textarea>
            {email_field}
            <button class="wm-primary" type="submit">
                {s.send}
            </button>
        </form>
    }
}

fn conversation(w: Wiring, s: &'static Strings, m: &Model) -> impl IntoView + use<> {
    let notice =
        (!m.notice.is_empty()).then(|| view! { <p class="wm-notice">{m.notice.clone()}</p> });
    let lines: Vec<_> = m
        .shown_messages()
        .map(|message| line(w, s, message))
        .collect();
    let end = if m.finished() {
        let rated = m.rated;
        leptos::either::Either::Left(view! {
            <fieldset class="wm-csat">
                <legend>{if rated { s.csat_thanks } else { s.csat }}</legend>
                {(!rated).then(|| (1..=5u8).map(|score| view! {
                    <button class="wm-rate" on:click=click(w, Act::Rate(score))>{score}</button>
                }).collect::<Vec<_>>())}
            </fieldset>
        })
    } else {
        leptos::either::Either::Right(view! {
            <form
                class="wm-form wm-reply-form"
                on:submit=move |event| {
                    event.prevent_default();
                    let text = take_field(&event, "text", Keep::Cleared);
                    if !text.trim().is_empty() {
                        w.send(Act::Send(text));
                    }
                }
            >
                <label class="wm-label" for="wm-reply">
                    {s.reply}
                </label>
                <textarea id="wm-reply" name="text" class="wm-input" rows="2"></textarea>
                <button class="wm-primary" type="submit">
                    {s.send}
                </button>
            </form>
        })
    };
    view! {
        <div class="wm-conv">
            {notice}
            <ul class="wm-thread" role="log">{lines}</ul>
        </div>
        {end}
    }
}

fn line(w: Wiring, s: &'static Strings, message: &Message) -> impl IntoView + use<> {
    let class = match message.author {
        Author::Me => "wm-msg wm-me",
        Author::Support => "wm-msg wm-them",
        Author::System => "wm-msg wm-sys",
    };
    let name = (message.author == Author::Support).then(|| {
        let name = message
            .author_name
            .clone()
            .unwrap_or_else(|| s.support.to_owned());
        view! { <small>{name}</small> }
    });
    let failed =
        (message.author == Author::Me && message.delivery == Delivery::Failed).then(|| {
            let key = message.id.clone();
            view! {
                <small class="wm-failed">
                    {s.not_sent}" "
                    <button class="wm-link" on:click=click(w, Act::Retry(key))>
                        {s.retry}
                    </button>
                </small>
            }
        });
    view! {
        <li class=class>
            {name}
            <span>{message.text.clone()}</span>
            {failed}
        </li>
    }
}
