"""One kaleido 1.x renderer per process, started by the first image and shared by every thread.

kaleido drives Debian's Chromium (/usr/bin/chromium, found by choreographer). Starting it costs
about 2 s, so it starts once, lazily (never at import), on a daemon thread that runs its own
event loop; callers from any thread submit renders with ``asyncio.run_coroutine_threadsafe``
and wait with a timeout. That is what ``kaleido.start_sync_server()`` does, minus its two
problems for a server: its ``call_function`` mixes up answers when two threads call at once,
and it blocks forever when Chromium cannot start. Here a Chromium that cannot start, or a
render that never ends, raises ExportError; the next render then starts a fresh Chromium.

kaleido reloads its page (all of plotly.js) after every image before answering; here the
reload runs after the answer, so a single image costs the render only (about half). The tab
still goes back to kaleido's pool only once reloaded, so no render sees a used page.
"""
from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import shutil
import threading

from par import settings

START_TIMEOUT = 120.0  # seconds: Chromium starts, then the first image
RENDER_TIMEOUT = 90.0  # seconds for any later image
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class ExportError(RuntimeError):
    """An image could not be rendered (no Chromium, Chromium crashed, timeout)."""


def find_browser() -> str | None:
    """The Chromium to use: $PAR_CHROMIUM (or kaleido's $BROWSER_PATH), else the first on PATH."""
    path = settings.chromium()
    if path and os.path.exists(path):
        return path
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def _kaleido_class():
    import kaleido

    class _Kaleido(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab) -> None:  # kaleido 1.5: reload, then put back
            async def reload_then_return():
                try:
                    await tab.reload()
                finally:  # a tab that failed to reload errors on its next use, never hangs
                    await self.tabs_ready.put(tab)

            task = asyncio.get_running_loop().create_task(reload_then_return())
            self._main_render_coroutines.add(task)  # awaited by close()
            task.add_done_callback(self._main_render_coroutines.discard)

    # only where kaleido's internals are the ones this was written against (kaleido==1.5.0)
    known = all(hasattr(kaleido.Kaleido, a) for a in ("_return_kaleido_tab", "_get_kaleido_tab"))
    return _Kaleido if known else kaleido.Kaleido


class _Server:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="par-kaleido",
                                       daemon=True)
        self.thread.start()
        try:
            self.kaleido = self.call(self._open(), START_TIMEOUT)
        except BaseException:
            self.stop_loop()
            raise

    async def _open(self):
        k = _kaleido_class()(n=1, mathjax=False)  # no MathJax: it would come from a CDN
        await k.open()
        return k

    def call(self, coro, timeout: float):
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def render(self, spec: dict, opts: dict, timeout: float) -> bytes:
        return self.call(self.kaleido.calc_fig(spec, opts=opts), timeout)

    def close(self) -> None:
        try:
            self.call(self.kaleido.close(), 30)
        except Exception:  # noqa: BLE001 - best effort at exit or after a failure
            pass
        finally:
            self.stop_loop()

    def stop_loop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


_lock = threading.Lock()
_server: _Server | None = None


def running() -> bool:
    return _server is not None


def _get() -> tuple[_Server, float]:
    """The server, started on first use (with the longer timeout for that first image)."""
    global _server
    with _lock:
        if _server is not None:
            return _server, RENDER_TIMEOUT
        if find_browser() is None:
            raise ExportError("Chromium not found (apt-get install chromium)")
        try:
            _server = _Server()
        except concurrent.futures.TimeoutError:
            raise ExportError(f"Chromium did not start within {START_TIMEOUT:.0f} s") from None
        except Exception as exc:
            raise ExportError(f"Chromium did not start ({type(exc).__name__}: {exc})") from exc
        atexit.register(stop)
        return _server, START_TIMEOUT


def render(spec: dict, opts: dict) -> bytes:
    """kaleido's calc_fig on the shared server: PNG/SVG/PDF bytes of a figure dict."""
    server, timeout = _get()
    try:
        return server.render(spec, opts, timeout)
    except concurrent.futures.TimeoutError:
        _discard(server)
        raise ExportError(f"the chart was not rendered within {timeout:.0f} s") from None
    except Exception as exc:  # kaleido/choreographer errors
        raise ExportError(f"{type(exc).__name__}: {exc}") from exc


def _discard(server: _Server) -> None:
    """Forget a stuck server (the next image starts a fresh one) and close it meanwhile."""
    global _server
    with _lock:
        if _server is server:
            _server = None
    threading.Thread(target=server.close, daemon=True).start()


def stop() -> None:
    """Close Chromium now (also registered to run at exit)."""
    global _server
    with _lock:
        server, _server = _server, None
    if server is not None:
        server.close()
