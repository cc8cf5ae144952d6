package io.delegatebroker.broker.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.TestDatabase;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The operator console in headless Chromium against a real node on PostgreSQL, as an operator uses it: sign in,
 * accounts, tokens (value shown once, install snippets), delegates appearing live, approval, rejection, revocation,
 * deletion, profiles, an account key's view, and API values containing markup shown as text. The steps build on each
 * other (one browser, one node), so they run in order. The screenshots in docs/console are taken here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

  /** Markup in an account name: the console must show it as these characters, never run or render it. */
  private static final String HOSTILE_NAME = "<img src=x onerror=window.pwned=1><b>Acme</b>";
  private static final String HOSTILE_SCRIPT = "#!/bin/sh\n<script>window.pwned=2</script><b>echo</b> hi";
  private static final Path SHOTS = Path.of(System.getProperty("basedir", "."), "..", "docs", "console").normalize();

  private TestDatabase db;
  private TestNode node;
  private Vertx vertx;
  private WebSocketClient ws;
  private AdminClient admin;
  private Chromium browser;
  private String base;

  private String account;
  private String defaultToken;
  private String rotToken;
  private TestDelegate k8s;
  private TestDelegate pendingA;

  @BeforeAll
  void start() throws Exception {
    browser = Chromium.launch();
    db = new TestDatabase();
    Map<String, String> env = TestNode.env(db.url());
    env.put("BROKER_HEARTBEAT_SECONDS", "120");
    node = TestNode.start(env);
    vertx = Vertx.vertx();
    ws = TestDelegate.client(vertx);
    admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
    base = "http://127.0.0.1:" + node.adminPort();
  }

  @AfterAll
  void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (node != null) {
        node.close();
      }
      if (vertx != null) {
        vertx.close();
      }
      if (db != null) {
        db.close();
      }
    }
  }

  @Test
  @Order(1)
  void servedFromTheAdminPortWithAStrictContentSecurityPolicy() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> root = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(302, root.statusCode());
    assertEquals("/console/", root.headers().firstValue("Location").orElseThrow());

    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/console/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.contains("script-src 'self'"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertTrue(csp.contains("default-src 'none'"), csp);
    assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
    assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
    assertFalse(page.body().contains("<script>"), "no inline script in the page");

    HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/console/nothing.js")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, missing.statusCode());
    assertEquals("not_found", new JsonObject(missing.body()).getJsonObject("error").getString("code"));
  }

  @Test
  @Order(2)
  void signInByKeyboardShowsTheRefusalThenOpensAccounts() {
    browser.open(base + "/");
    browser.visible(By.xpath("//h1[normalize-space()='Sign in']"));
    assertTrue(browser.driver().getCurrentUrl().startsWith(base + "/console/"), browser.driver().getCurrentUrl());
    browser.screenshot(SHOTS.resolve("sign-in.png"));

    // Keyboard only: the key field has focus; Enter submits.
    browser.until("key field focused", d -> "password".equals(browser.active().getDomAttribute("type")));
    browser.active().sendKeys("not-a-key-0123456789");
    browser.active().sendKeys(Keys.ENTER);
    WebElement refusal = browser.visible(By.cssSelector("form.signin [role=alert]"));
    assertEquals(admin.withKey("not-a-key-0123456789").get("/v1/accounts").json().getJsonObject("error")
        .getString("message"), refusal.getText());
    WebElement key = browser.find(By.cssSelector("form.signin input[type=password]"));
    assertEquals("not-a-key-0123456789", key.getDomProperty("value"), "a failed form keeps what was typed");

    // The console is one page from here on: record any Content-Security-Policy violation until the end.
    browser.js("window.cspViolations = [];"
        + "document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(e.violatedDirective))");
    key.clear();
    key.sendKeys(TestNode.ROOT_KEY, Keys.ENTER);
    browser.visible(By.xpath("//main//h1[normalize-space()='Accounts']"));
    assertFalse(browser.driver().getCurrentUrl().contains(TestNode.ROOT_KEY), "no key in the URL");
    assertEquals(TestNode.ROOT_KEY, browser.js("return sessionStorage.getItem('broker.console.key')"));
    assertNull(browser.js("return localStorage.length ? 'used' : null"), "nothing in local storage");
  }

  @Test
  @Order(3)
  void newAccountShowsItsDefaultTokenOnceAndItsMarkupAsText() {
    click("//button[normalize-space()='New Account']");
    browser.active().sendKeys(HOSTILE_NAME, Keys.ENTER);
    WebElement value = browser.visible(By.xpath("//dialog[@open]//input[contains(@class,'secret')]"));
    defaultToken = value.getDomProperty("value");
    account = browser.find(By.xpath("//dialog[@open]//span[@data-account-id]")).getText();
    assertTrue(defaultToken.startsWith("dt_"), defaultToken);
    keys(Keys.ESCAPE);
    browser.gone(By.tagName("dialog"));

    WebElement link = browser.visible(By.xpath("//table[caption='Accounts']//a[@data-key='open:" + account + "']"));
    assertEquals(HOSTILE_NAME, link.getText(), "the name is shown as its characters");
    assertTrue(browser.all(By.xpath("//table//img | //table//b")).isEmpty(), "no markup from the API rendered");
    assertNull(browser.js("return window.pwned === undefined ? null : window.pwned"));
    assertFalse(browser.driver().getPageSource().contains(defaultToken), "the value is gone once the dialog closes");
    browser.screenshot(SHOTS.resolve("accounts.png"));
    link.click();
    browser.visible(By.xpath("//main//h1[normalize-space()='Tokens']"));
    assertEquals("Account: " + HOSTILE_NAME, browser.find(By.cssSelector("#nav .account")).getText());
  }

  @Test
  @Order(4)
  void newTokenByKeyboardShowsTheValueOnceWithFilledInstallSnippets() {
    WebElement newToken = browser.visible(By.xpath("//button[normalize-space()='New Token']"));
    browser.js("arguments[0].focus()", newToken);
    keys(Keys.ENTER);
    browser.visible(By.xpath("//dialog[@open]//h2[normalize-space()='New Token']"));
    WebElement name = browser.find(By.xpath("//dialog[@open]//input[@id=//dialog[@open]//label[normalize-space()='Name']/@for]"));
    browser.until("name field focused", d -> name.equals(browser.active()));
    browser.active().sendKeys("rot-1", Keys.TAB);
    browser.active().sendKeys("payments", Keys.ENTER);

    WebElement value = browser.visible(By.xpath("//dialog[@open]//input[contains(@class,'secret')]"));
    rotToken = value.getDomProperty("value");
    assertTrue(rotToken.startsWith("dt_"), rotToken);
    browser.find(By.xpath("//dialog[@open]//*[contains(text(),'You cannot retrieve it after this')]"));
    List<WebElement> snippets = browser.until("snippets filled", d -> {
      List<WebElement> codes = d.findElements(By.xpath("//dialog[@open]//code[@data-template]"));
      return codes.size() == 6 && codes.stream().noneMatch(c -> c.getDomProperty("textContent").contains("Loading"))
          ? codes : null;
    });
    for (WebElement code : snippets) {
      String text = code.getDomProperty("textContent");
      String file = code.getDomAttribute("data-template");
      assertTrue(text.contains(rotToken) && text.contains(account), file + ": " + text);
      assertFalse(text.contains("{{"), file + " still has a placeholder: " + text);
    }
    // Where the docs put the value for each kind of install (the templates' layout is the delegate's own).
    assertTrue(snippet(snippets, "kubernetes/statefulset.yaml").contains("DELEGATE_TOKEN"));
    assertTrue(lineWith(snippet(snippets, "docker/docker-run.sh"), "-e DELEGATE_TOKEN=").contains(rotToken));
    assertTrue(lineWith(snippet(snippets, "docker/docker-compose.yaml"), "DELEGATE_TOKEN").contains(rotToken));
    assertTrue(lineWith(snippet(snippets, "helm/values.yaml"), "delegateToken:").contains(rotToken));
    assertTrue(snippet(snippets, "ecs/task-definition.json").contains("DELEGATE_TOKEN"));
    assertTrue(lineWith(snippet(snippets, "shell/config-delegate.yaml"), "delegateToken:").contains(rotToken));
    click("//dialog[@open]//details[@data-type='Kubernetes']/summary");
    browser.screenshot(SHOTS.resolve("new-token.png"));

    keys(Keys.ESCAPE);
    browser.gone(By.tagName("dialog"));
    browser.visible(row("Delegate tokens", "rot-1"));
    assertFalse(browser.driver().getPageSource().contains(rotToken), "the value is shown once, then never again");
    assertFalse(String.valueOf(browser.js("return JSON.stringify(sessionStorage)")).contains(rotToken));
    assertFalse(admin.get("/v1/accounts/" + account + "/tokens/rot-1").json().containsKey("value"));
  }

  @Test
  @Order(5)
  void aConnectingDelegateAppearsWithoutAReload() {
    click("//nav//a[normalize-space()='Delegates']");
    browser.visible(By.xpath("//main//h1[normalize-space()='Delegates']"));
    browser.js("window.sameDocument = true");
    k8s = TestDelegate.connect(ws, node.delegatePort(), rotToken, account, "k8s-east",
        Map.of("X-Delegate-Instance", "pod-1", "X-Delegate-Type", "KUBERNETES"));
    assertEquals("ACTIVE", k8s.next("welcome").getString("status"));
    browser.until("connected with its instance", d -> rowText("Delegates", "k8s-east").contains("Connected")
        && rowText("Delegates", "k8s-east").contains("pod-1"));
    assertTrue(rowText("Delegates", "k8s-east").contains(node.nodeId()), rowText("Delegates", "k8s-east"));
    assertEquals(Boolean.TRUE, browser.js("return window.sameDocument === true"), "the list followed without a reload");
    browser.screenshot(SHOTS.resolve("delegates.png"));
  }

  @Test
  @Order(6)
  void aProfileWithMarkupInItsStartupScriptIsShownAsText() {
    click("//nav//a[normalize-space()='Delegate Profiles']");
    click("//button[normalize-space()='Add Delegate Profile']");
    browser.active().sendKeys("gated");
    field("Startup Script").sendKeys(HOSTILE_SCRIPT);
    field("Delegate Requires Approval").click();
    click("//dialog[@open]//button[normalize-space()='Submit']");
    browser.gone(By.tagName("dialog"));
    WebElement script = browser.visible(By.xpath(rowXpath("Delegate Profiles", "gated") + "//pre"));
    assertEquals(HOSTILE_SCRIPT, script.getDomProperty("textContent"));
    assertTrue(browser.find(row("Delegate Profiles", "gated")).getText().contains("Yes"));
    assertTrue(browser.all(By.xpath("//table//b | //table//script")).isEmpty(), "no markup from the API rendered");
    assertNull(browser.js("return window.pwned === undefined ? null : window.pwned"));
    WebElement primary = browser.find(row("Delegate Profiles", "primary"));
    assertTrue(primary.findElements(By.xpath(".//button[normalize-space()='Delete']")).isEmpty());
    assertTrue(primary.getText().contains("Protected"), "the console says why primary cannot be deleted");
    browser.screenshot(SHOTS.resolve("profiles.png"));
    JsonObject stored = admin.get("/v1/accounts/" + account + "/profiles/gated").json();
    assertEquals(HOSTILE_SCRIPT, stored.getString("startupScript"));
    assertTrue(stored.getBoolean("approvalRequired"));
  }

  @Test
  @Order(7)
  void approveOnePendingDelegateSendItAMessageRejectAnotherApproveInBulk() {
    click("//nav//a[normalize-space()='Delegates']");
    pendingA = pending("pend-a");
    TestDelegate pendingB = pending("pend-b");
    click("//button[@aria-label='Pending Approval: pend-a']");
    browser.visible(By.xpath("//button[@aria-label='Approve pend-a']"));
    browser.screenshot(SHOTS.resolve("pending-approval.png"));
    click("//button[@aria-label='Approve pend-a']");
    assertEquals("approved", pendingA.next("approved").getString("type"));
    browser.until("pend-a connected and active", d -> rowText("Delegates", "pend-a").contains("Connected"));
    assertEquals("ACTIVE", delegate("pend-a").getString("status"));

    click("//button[@aria-label='Send Message to pend-a']");
    WebElement payload = field("Payload (JSON object)");
    payload.clear();
    payload.sendKeys("{\"deploy\": \"v2\"}");
    click("//dialog[@open]//button[normalize-space()='Send']");
    String sent = browser.visible(By.xpath("//dialog[@open]//p[contains(@class,'result')]")).getText();
    assertTrue(sent.startsWith("Message ") && sent.endsWith(" delivered to 1 instance."), sent);
    assertEquals("v2", pendingA.next("message").getJsonObject("payload").getString("deploy"));
    click("//dialog[@open]//button[normalize-space()='Close']");
    browser.gone(By.tagName("dialog"));

    // Reject by keyboard alone: Enter on Pending Approval (focus survives the redraw), Tab to Reject, Enter; the
    // dialog opens on Cancel, Tab to Reject, Enter.
    WebElement pendingButton = browser.find(By.xpath("//button[@aria-label='Pending Approval: pend-b']"));
    browser.js("arguments[0].focus()", pendingButton);
    keys(Keys.ENTER);
    browser.visible(By.xpath("//button[@aria-label='Reject pend-b']"));
    browser.until("focus kept on Pending Approval",
        d -> "Pending Approval: pend-b".equals(browser.active().getDomAttribute("aria-label")));
    keys(Keys.TAB, Keys.TAB);
    assertEquals("Reject pend-b", browser.active().getDomAttribute("aria-label"));
    keys(Keys.ENTER);
    WebElement dialog = browser.visible(By.xpath("//dialog[@open]"));
    assertTrue(dialog.getText().contains("Be very careful rejecting a delegate"), dialog.getText());
    assertEquals("Cancel", browser.active().getText());
    keys(Keys.TAB);
    assertEquals("Reject", browser.active().getText());
    keys(Keys.ENTER);
    browser.gone(row("Delegates", "pend-b"));
    assertEquals(4003, pendingB.awaitClose().code());
    assertNull(delegate("pend-b"), "a rejected delegate leaves the list");

    // Bulk approval of every pending delegate of a profile.
    TestDelegate pendingC = pending("pend-c");
    new Select(browser.find(By.xpath(
        "//form[@aria-label='Approve in bulk']//select"))).selectByVisibleText("Profile");
    browser.find(By.xpath("//form[@aria-label='Approve in bulk']//input")).sendKeys("gated", Keys.ENTER);
    browser.until("bulk approval announced", d -> d.findElement(By.id("notice")).getText().equals("Approved 1 delegate."));
    assertEquals("approved", pendingC.next("approved").getString("type"));
    browser.until("pend-c connected and active", d -> rowText("Delegates", "pend-c").contains("Connected"));
    pendingC.close();
  }

  @Test
  @Order(8)
  void revokeShowsHowManySessionsClosedAndTheDelegateDisconnects() {
    click("//nav//a[normalize-space()='Tokens']");
    browser.until("rot-1 shows its connection", d -> "1".equals(
        d.findElement(By.xpath(rowXpath("Delegate tokens", "rot-1") + "//button[@data-key='conn:rot-1']")).getText()));
    click("//button[@data-key='conn:rot-1']");
    WebElement connections = browser.visible(By.xpath("//dialog[@open]//table"));
    browser.until("the token's connection listed", d -> connections.getText().contains("pod-1"));
    click("//dialog[@open]//button[normalize-space()='Close']");
    browser.gone(By.tagName("dialog"));

    click("//button[@aria-label='Revoke rot-1']");
    click("//dialog[@open]//button[normalize-space()='Confirm']");
    WebElement answer = browser.visible(By.xpath("//dialog[@open]//p[@data-evicted]"));
    assertEquals("Token rot-1 revoked. 1 session closed.", answer.getText());
    assertEquals(4001, k8s.awaitClose().code());
    browser.screenshot(SHOTS.resolve("revoke.png"));
    click("//dialog[@open]//button[normalize-space()='Close']");
    browser.until("rot-1 revoked with no connections", d -> rowText("Delegate tokens", "rot-1").contains("Revoked")
        && "0".equals(d.findElement(By.xpath(rowXpath("Delegate tokens", "rot-1") + "//button[@data-key='conn:rot-1']"))
            .getText()));

    Select status = new Select(browser.find(By.xpath("//form[@aria-label='Filter tokens']//select")));
    status.selectByVisibleText("Revoked");
    browser.until("only revoked tokens", d -> d.findElements(row("Delegate tokens", "default")).isEmpty());
    browser.find(row("Delegate tokens", "rot-1"));
    status.selectByVisibleText("Active");
    browser.until("only active tokens", d -> d.findElements(row("Delegate tokens", "rot-1")).isEmpty());
    browser.find(row("Delegate tokens", "default"));
    status.selectByVisibleText("All");

    click("//nav//a[normalize-space()='Delegates']");
    browser.until("k8s-east disconnected", d -> rowText("Delegates", "k8s-east").contains("Disconnected")
        && !rowText("Delegates", "k8s-east").contains("pod-1"));
  }

  @Test
  @Order(9)
  void deleteADelegate() {
    click("//button[@aria-label='Delete pend-a']");
    click("//dialog[@open]//button[normalize-space()='Delete']");
    browser.gone(row("Delegates", "pend-a"));
    assertEquals(4004, pendingA.awaitClose().code());
    assertNull(delegate("pend-a"));
  }

  @Test
  @Order(10)
  void editAProfile() {
    click("//nav//a[normalize-space()='Delegate Profiles']");
    click("//button[@aria-label='Edit gated']");
    WebElement script = field("Startup Script");
    assertEquals(HOSTILE_SCRIPT, script.getDomProperty("value"));
    script.clear();
    script.sendKeys("echo updated");
    WebElement approval = field("Delegate Requires Approval");
    assertTrue(approval.isSelected());
    approval.click();
    click("//dialog[@open]//button[normalize-space()='Submit']");
    browser.gone(By.tagName("dialog"));
    browser.until("gated shows the edit", d -> rowText("Delegate Profiles", "gated").contains("echo updated")
        && rowText("Delegate Profiles", "gated").contains("No"));
    JsonObject stored = admin.get("/v1/accounts/" + account + "/profiles/gated").json();
    assertEquals("echo updated", stored.getString("startupScript"));
    assertFalse(stored.getBoolean("approvalRequired"));
  }

  @Test
  @Order(11)
  void aRefusalIsShownWithItsMessageAndTheFormKeepsWhatWasTyped() {
    click("//nav//a[normalize-space()='Tokens']");
    click("//button[normalize-space()='New Token']");
    browser.active().sendKeys("rot-1", Keys.ENTER);
    WebElement alert = browser.visible(By.xpath("//dialog[@open]//*[@role='alert']"));
    String message = admin.post("/v1/accounts/" + account + "/tokens", new JsonObject().put("name", "rot-1")).json()
        .getJsonObject("error").getString("message");
    assertEquals(message, alert.getText());
    assertEquals("rot-1", field("Name").getDomProperty("value"));
    keys(Keys.ESCAPE);
    browser.gone(By.tagName("dialog"));

    click("//nav//a[normalize-space()='Admin Keys']");
    click("//button[normalize-space()='New Admin Key']");
    String keyValue = browser.visible(By.xpath("//dialog[@open]//input[contains(@class,'secret')]")).getDomProperty("value");
    assertTrue(keyValue.startsWith("ak_"), keyValue);
    keys(Keys.ESCAPE);
    browser.gone(By.tagName("dialog"));
    assertFalse(browser.driver().getPageSource().contains(keyValue));
    WebElement keyDelete =
        browser.visible(By.xpath("//table[caption='Admin keys of this account']//button[normalize-space()='Delete']"));
    keyDelete.click();
    click("//dialog[@open]//button[normalize-space()='Delete']");
    browser.gone(By.xpath("//table[caption='Admin keys of this account']//button[normalize-space()='Delete']"));
    assertEquals(401, admin.withKey(keyValue).get("/v1/accounts/" + account).status(), "the deleted key no longer works");

    click("//nav//a[normalize-space()='Audit']");
    browser.visible(By.xpath("//table//td[normalize-space()='token.revoke']"));
    browser.screenshot(SHOTS.resolve("audit.png"));
    click("//nav//a[normalize-space()='Cluster']");
    browser.visible(By.xpath("//table//td[normalize-space()='" + node.nodeId() + "']"));
    browser.screenshot(SHOTS.resolve("cluster.png"));
    assertEquals("[]", String.valueOf(browser.js("return JSON.stringify(window.cspViolations)")),
        "the console runs under its Content-Security-Policy without a violation");
  }

  @Test
  @Order(12)
  void anAccountKeySeesOnlyItsAccount() {
    JsonObject created = admin.post("/v1/accounts/" + account + "/keys", null).json();
    String key = created.getString("value");
    String other = admin.createAccount("Other").getString("id");
    admin.createToken(other, "other-only");

    click("//button[normalize-space()='Sign out']");
    browser.visible(By.xpath("//h1[normalize-space()='Sign in']"));
    assertNull(browser.js("return sessionStorage.getItem('broker.console.key')"), "sign out forgets the key");
    browser.active().sendKeys(key, Keys.ENTER);
    WebElement refusal = browser.visible(By.cssSelector("form.signin [role=alert]"));
    assertTrue(refusal.getText().contains("account key"), refusal.getText());
    WebElement accountField = browser.find(By.xpath("//input[@id=//label[normalize-space()='Account ID']/@for]"));
    accountField.sendKeys(account, Keys.ENTER);
    browser.visible(By.xpath("//main//h1[normalize-space()='Tokens']"));
    browser.visible(row("Delegate tokens", "rot-1"));
    assertTrue(browser.all(By.xpath("//nav//a[normalize-space()='Accounts' or normalize-space()='Cluster']")).isEmpty(),
        "an account key has no accounts or cluster pages");

    browser.js("location.hash = arguments[0]", "#/a/" + other + "/tokens");
    browser.until("back in its own account", d -> d.getCurrentUrl().contains("#/a/" + account + "/tokens"));
    browser.js("location.hash = '#/accounts'");
    browser.until("back in its own account", d -> d.getCurrentUrl().contains("#/a/" + account + "/tokens"));
    browser.visible(row("Delegate tokens", "rot-1"));
    assertTrue(browser.all(row("Delegate tokens", "other-only")).isEmpty(), "another account's token never shows");
    assertEquals(key, browser.js("return sessionStorage.getItem('broker.console.key')"));

    // The key is deleted while the console is open: its next poll is refused, and the console forgets the key.
    assertEquals(204, admin.delete("/v1/accounts/" + account + "/keys/" + created.getString("id")).status());
    WebElement signedOut = browser.visible(By.cssSelector("form.signin [role=alert]"));
    assertTrue(signedOut.getText().contains("no longer accepts this key"), signedOut.getText());
    assertNull(browser.js("return sessionStorage.getItem('broker.console.key')"));
  }

  // --- helpers ---

  private TestDelegate pending(String name) {
    TestDelegate d = TestDelegate.connect(ws, node.delegatePort(), defaultToken, account, name,
        Map.of("X-Delegate-Profile", "gated"));
    JsonObject welcome = d.next("welcome");
    assertEquals("PENDING_APPROVAL", welcome.getString("status"));
    assertEquals(HOSTILE_SCRIPT, welcome.getString("startupScript"));
    browser.visible(By.xpath("//button[@aria-label='Pending Approval: " + name + "']"));
    return d;
  }

  private JsonObject delegate(String name) {
    return admin.get("/v1/accounts/" + account + "/delegates").items().stream().map(JsonObject.class::cast)
        .filter(d -> name.equals(d.getString("name"))).findFirst().orElse(null);
  }

  private void keys(CharSequence... keys) {
    new Actions(browser.driver()).sendKeys(keys).perform();
  }

  private void click(String xpath) {
    browser.until("clickable " + xpath, d -> {
      WebElement e = d.findElement(By.xpath(xpath));
      if (!e.isDisplayed() || !e.isEnabled()) {
        return null;
      }
      e.click();
      return true;
    });
  }

  /** The field labelled so in the open dialog. */
  private WebElement field(String label) {
    return browser.find(By.xpath("//dialog[@open]//*[@id=//dialog[@open]//label[normalize-space()='" + label + "']/@for]"));
  }

  /** The row's text now (found again each time: polling replaces rows that changed). */
  private String rowText(String caption, String name) {
    return browser.driver().findElement(row(caption, name)).getText();
  }

  private static String rowXpath(String caption, String name) {
    return "//table[caption[normalize-space()='" + caption + "']]/tbody/tr[@data-name='" + name + "']";
  }

  private static By row(String caption, String name) {
    return By.xpath(rowXpath(caption, name));
  }

  private static String lineWith(String text, String part) {
    return text.lines().filter(l -> l.contains(part)).findFirst().orElseThrow(() -> new AssertionError(part + " in " + text));
  }

  private static String snippet(List<WebElement> codes, String file) {
    return codes.stream().filter(c -> file.equals(c.getDomAttribute("data-template"))).findFirst().orElseThrow()
        .getDomProperty("textContent");
  }
}
