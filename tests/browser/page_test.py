#!/usr/bin/env python3
"""Real-browser test of the player page: Debian's chromium, headless, driven by selenium.

Starts `ascent up` (wallet, authority, settlement, projector, edge) on its own topics and data
directory against the test PostgreSQL, funds a player, opens the page with the player's token,
places a bet, cashes it out, and checks that the balance the page shows changed. Screenshots go
to .build/screenshots/ (with the stack's log, stack.log). Exits non-zero on failure; prints "1 passed, 0 failed" on success.
"""
import os, random, re, socket, subprocess, sys, time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ASCENT = os.path.join(ROOT, ".build", "release", "ascent")
SHOTS = os.path.join(ROOT, ".build", "screenshots")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(what, predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def main():
    database = os.environ["ASCENT_TEST_DATABASE_URL"]
    suffix = f"{random.getrandbits(32):08x}"
    data = os.path.join(ROOT, ".build", f"browser-{suffix}")
    prefix = f"browser{suffix}."
    port = free_port()
    common = ["--database", database, "--topic-prefix", prefix, "--data-dir", data]
    os.makedirs(SHOTS, exist_ok=True)
    stack = subprocess.Popen([ASCENT, "up", *common, "--bots", "3", "--betting-ms", "4000", "--edge-port", str(port),
                              "--metrics-port", "0", "--intermission-ms", "1000"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=open(os.path.join(SHOTS, "stack.log"), "w"), text=True)
    driver = None
    try:
        wait("the edge", lambda: "player page on" in stack.stdout.readline(), 120)
        subprocess.run([ASCENT, "deposit", *common, "--player", "browser", "--amount", "100000", "--id", "fund-browser"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        token = subprocess.run([ASCENT, "token", "--player", "browser", "--data-dir", data], cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout.strip()
        options = Options()
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800"]:
            options.add_argument(flag)
        options.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.get(f"http://127.0.0.1:{port}/?token={token}")

        def balance():
            text = driver.find_element(By.ID, "balance").text
            digits = re.sub(r"[^0-9]", "", text)
            return int(digits) if digits else None

        start = wait("the funded balance on the page", lambda: balance() if balance() == 100000 else None)
        driver.save_screenshot(os.path.join(SHOTS, "1-connected.png"))
        panel = driver.find_elements(By.CSS_SELECTOR, "#panels .panel")[0]
        stake = panel.find_element(By.CSS_SELECTOR, "input.stake")
        button = panel.find_element(By.CSS_SELECTOR, "button.main")
        for attempt in range(6):
            # Bet while betting is open, then cash out as soon as the plane flies.
            wait("betting to open", lambda: driver.find_element(By.ID, "phase").text.strip().lower().startswith(("bet", "place")) or
                 "bet" in button.text.lower() and button.is_enabled(), 90)
            stake.clear()
            stake.send_keys("1.00")
            button.click()
            wait("the bet to be accepted", lambda: balance() is not None and balance() < start, 30)
            driver.save_screenshot(os.path.join(SHOTS, "2-bet-placed.png"))
            def multiplier():
                digits = re.sub(r"[^0-9]", "", driver.find_element(By.ID, "multiplier").text)
                return int(digits) if digits else 0

            try:
                # Cash out once the curve passes 1.10x, so the payout (at least 1.10) is above the stake.
                wait("the cash-out button past 1.10x", lambda: "cash" in button.text.lower() and button.is_enabled()
                     and multiplier() >= 110, 30)
                button.click()
                wait("the payout", lambda: balance() is not None and balance() > start, 20)
                driver.save_screenshot(os.path.join(SHOTS, "3-cashed-out.png"))
                print(f"bet 1.00 and cashed out: balance {start} -> {balance()} minor units")
                print("1 passed, 0 failed")
                return 0
            except AssertionError:
                # The round crashed before the cash-out (possible at 1.00x): try the next round.
                start = balance()
                continue
        raise AssertionError("no round let the bet be cashed out")
    except Exception as error:
        if driver is not None:
            driver.save_screenshot(os.path.join(SHOTS, "failure.png"))
        print(f"browser test failed: {error}")
        print("0 passed, 1 failed")
        return 1
    finally:
        if driver is not None:
            driver.quit()
        stack.terminate()
        try:
            stack.wait(20)
        except subprocess.TimeoutExpired:
            stack.kill()


if __name__ == "__main__":
    sys.exit(main())
