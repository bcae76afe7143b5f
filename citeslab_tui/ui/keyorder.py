"""Keys handled one after the other, in the order typed (a mixin of the app).

Textual hands a key to the focused widget's queue and goes on with the next key at
once; a key the widget does not use itself (Backspace, Tab, a screen's letter) bubbles
back up to the app, whose bindings act on it *after* the keys that followed it in a
burst. Twelve Backspaces then "bonjour" typed as one burst (a terminal without
bracketed paste, a fast typist) gave "" in a bare Textual 8.2.8 Input; a letter typed
right after `a` went to the queue table instead of the arrival dialog being opened.

Here a key is handled only when the one before is done: a `KeyDone` message follows
each key to the widget it went to and bubbles back up to the app (messages keep their
order at every step). When it arrives, the messages the key started are let through
(a few turns of the event loop, then the screen's queue), a dialog being opened gets
its focus, and the next key held is handled. If the widget was removed with its
KeyDone (Entrée closed the dialog), or after KEY_DONE_TIMEOUT, the next key goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from functools import partial
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

KEY_DONE_TIMEOUT = 0.2  # seconds: a key's KeyDone lost (its widget closed): go on
KEY_CHECK_EVERY = 0.02  # seconds: how often to look whether the key's widget is still there
SCREEN_SETTLE_TRIES = 5
SCREEN_WAIT = 0.25  # seconds at most waiting for the screen to handle a key's messages
SETTLE_TURNS = 24  # event loop turns: messages climb one widget a turn (the DOM is < 12 deep)  # refreshes to wait for a new screen to focus its first field


class KeyDone(Message):
    """Follows a key to the focused widget and bubbles back up to the app: the key
    before it has been handled (see CitesLabApp.handle_key)."""

    def __init__(self, number: int, screen: Screen[Any]) -> None:
        super().__init__()
        self.number = number
        self.screen = screen


class KeysInOrder(App[int]):
    """Mixed into the app: `handle_key(event)` for each key typed (see module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_in_flight = 0  # the number of the key being handled (0: none)
        self.held_keys: deque[events.Key] = deque()  # typed while one is handled
        self.key_timer: Timer | None = None

    def hold_key(self, event: events.Key) -> bool:
        """True (and the key kept for later) while another key is being handled."""
        if self.key_in_flight or self.held_keys:
            self.held_keys.append(event)
            return True
        return False

    async def handle_key(self, event: events.Key) -> None:
        screen = self.screen
        target = self.focused or screen
        self.key_in_flight += 1
        number = self.key_in_flight
        if self.focused is None and not screen.is_mounted:
            # a dialog being shown (by a worker): the key goes to its first field, once
            # the dialog has put the focus there
            self.held_keys.appendleft(event)
            self.key_timer = self.set_timer(KEY_DONE_TIMEOUT, partial(self.key_done, number))
            self.when_focused(number, SCREEN_SETTLE_TRIES)
            return
        await super().on_event(event)  # priority keys here, the others to the widget
        if not self.is_running or not target.post_message(KeyDone(number, screen)):
            await self.key_done(number)
            return
        self.key_timer = self.set_interval(
            KEY_CHECK_EVERY, partial(self.check_key, number, target, time.monotonic())
        )

    async def check_key(self, number: int, target: Widget, since: float) -> None:
        """A KeyDone goes where its key went: if that widget was removed (Entrée closed
        its dialog), the KeyDone is gone with it; do not wait for it."""
        if not target.is_attached or time.monotonic() - since > KEY_DONE_TIMEOUT:
            await self.key_done(number)

    async def on_key_done(self, message: KeyDone) -> None:
        message.stop()
        await self.let_messages_climb()
        # the app's own queue next: a focus() asked for by a handler is done there
        self.call_later(self.key_settling, message.number, message.screen)

    async def key_settling(self, number: int, screen: Screen[Any]) -> None:
        await self.let_messages_climb()
        # then once the app is idle: what the key started (a worker showing a dialog) ran
        self.call_after_refresh(self.key_settled, number, screen)

    async def let_messages_climb(self) -> None:
        """The key may have started messages still on their way up the DOM (Entrée in a
        field: Input.Submitted, whose handler on the screen moves the focus): a few turns
        of the event loop move them along, one widget a turn; then the screen handles
        what it was given (bounded: a screen busy elsewhere does not hold the keys)."""
        for _turn in range(SETTLE_TURNS):
            await asyncio.sleep(0)
        screen = self.screen
        if screen.is_running:
            with contextlib.suppress(TimeoutError, AssertionError):
                await asyncio.wait_for(screen.wait_for_refresh(), SCREEN_WAIT)

    def key_settled(self, number: int, screen: Screen[Any]) -> None:
        if self.screen is not screen:  # a screen was shown or closed
            self.when_focused(number, SCREEN_SETTLE_TRIES)
        else:
            self.call_later(self.key_done, number)

    def when_focused(self, number: int, tries: int) -> None:
        """The next key goes to the new screen's field: wait until the screen has put the
        focus somewhere (its on_mount), a few refreshes at most (some focus nothing)."""
        screen = self.screen
        if screen.focused is not None or tries <= 0 or not screen.is_running:
            self.call_later(self.key_done, number)
        else:
            screen.call_after_refresh(self.when_focused, number, tries - 1)

    async def key_done(self, number: int) -> None:
        """Key `number` was handled (or timed out): handle the next key held, if any."""
        if number != self.key_in_flight:
            return  # an older key's late news
        if self.key_timer is not None:
            self.key_timer.stop()
            self.key_timer = None
        self.key_in_flight = 0
        if self.held_keys:
            await self.handle_key(self.held_keys.popleft())
