"""Drives the /docs page in headless Debian Chromium (playwright with the system browser, which it
downloads none of) and prints what it saw as JSON. Run as its own process by
tests/test_api_reference.py: playwright's sync API cannot run inside the eventlet-patched test process.

    python -m tests.support.reference_page <base url> <screenshot path> <sign-up body as JSON>
"""
import json
import sys

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(base_url, screenshot, signup_body):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        try:
            page.goto(base_url + "/docs")
            page.wait_for_selector(".opblock-tag", timeout=30000)
            families = page.locator(".opblock-tag").all_inner_texts()
            page.locator(".opblock-tag", has_text="Directory and sign-in").click()
            signup = page.locator("#operations-Directory_and_sign-in-directory_signup_post")
            signup.locator(".opblock-summary").click()
            signup.locator("button.try-out__btn").click()
            signup.locator("textarea.body-param__text").fill(signup_body)
            signup.locator("button.execute").click()
            answer = signup.locator(".live-responses-table .response-col_description pre").first
            answer.wait_for(timeout=30000)
            page.screenshot(path=screenshot)
            return {"families": families, "signup_answer": answer.inner_text()}
        except Exception:
            page.screenshot(path=screenshot.replace(".png", "-failed.png"))  # what the browser showed
            with open(screenshot.replace(".png", "-failed.html"), "w") as handle:
                handle.write(page.content())
            raise
        finally:
            browser.close()


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
