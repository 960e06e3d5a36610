<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
<context>
    <name>DeskPage</name>
    <message>
        <source>new</source>
        <translation>تازه</translation>
    </message>
    <message>
        <source>opened</source>
        <translation>باز شده</translation>
    </message>
    <message>
        <source>annotated</source>
        <translation>یادداشت‌دار</translation>
    </message>
    <message>
        <source>replied</source>
        <translation>پاسخ داده شده</translation>
    </message>
    <message>
        <source>exported</source>
        <translation>صادر شده</translation>
    </message>
    <message>
        <source>TAMPERED</source>
        <translation>دست‌کاری شده</translation>
    </message>
    <message>
        <source>WITHHELD by the server</source>
        <translation>سرور آن را پنهان می‌کند</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>حذف شده</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>همگام‌سازی</translation>
    </message>
    <message>
        <source>Sync: fetch new testimony and colleagues&apos; shares from the server (F5)</source>
        <translation>همگام‌سازی: دریافت شهادت‌های تازه و سهم‌های همکاران از سرور (F5)</translation>
    </message>
    <message>
        <source>Open everything</source>
        <translation>باز کردن همه</translation>
    </message>
    <message>
        <source>Open every testimony you can and make it searchable</source>
        <translation>هر شهادتی را که می‌توانید باز کنید و جست‌وجوپذیر کنید</translation>
    </message>
    <message>
        <source>Verify a package…</source>
        <translation>بررسی یک بسته…</translation>
    </message>
    <message>
        <source>Verify an evidence package someone sent</source>
        <translation>بررسی بستهٔ مدارکی که کسی فرستاده است</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>پیشرفت</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 از %2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>لغو</translation>
    </message>
    <message>
        <source>Search the testimonies opened so far (Ctrl+F)</source>
        <translation>جست‌وجو در شهادت‌هایی که تا کنون باز شده‌اند (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search the testimonies opened so far</source>
        <translation>جست‌وجو در شهادت‌هایی که تا کنون باز شده‌اند</translation>
    </message>
    <message>
        <source>Show testimonies in this state</source>
        <translation>نمایش شهادت‌ها در این وضعیت</translation>
    </message>
    <message>
        <source>Any state</source>
        <translation>هر وضعیتی</translation>
    </message>
    <message>
        <source>Show testimonies with this tag</source>
        <translation>نمایش شهادت‌های دارای این برچسب</translation>
    </message>
    <message>
        <source>Any tag</source>
        <translation>هر برچسبی</translation>
    </message>
    <message>
        <source>Received from</source>
        <translation>دریافت از</translation>
    </message>
    <message>
        <source>Received from (YYYY-MM-DD)</source>
        <translation>دریافت از تاریخ (YYYY-MM-DD)</translation>
    </message>
    <message>
        <source>to</source>
        <translation>تا</translation>
    </message>
    <message>
        <source>Received until (YYYY-MM-DD)</source>
        <translation>دریافت تا تاریخ (YYYY-MM-DD)</translation>
    </message>
    <message>
        <source>%1 of %2 testimonies</source>
        <translation>%1 از %2 شهادت</translation>
    </message>
    <message>
        <source>Testimonies</source>
        <translation>شهادت‌ها</translation>
    </message>
    <message>
        <source>Testimony %1, %2, received %3</source>
        <translation>شهادت %1، %2، دریافت %3</translation>
    </message>
    <message>
        <source>%1 attachment(s)</source>
        <translation>%1 پیوست</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export an evidence package</source>
        <translation>صدور بستهٔ مدارک</translation>
    </message>
    <message>
        <source>What is it for?</source>
        <translation>برای چه کاری است؟</translation>
    </message>
    <message>
        <source>prosecutors and courts</source>
        <translation>دادستان‌ها و دادگاه‌ها</translation>
    </message>
    <message>
        <source>a UN commission of inquiry or mechanism</source>
        <translation>کمیسیون تحقیق یا سازوکار سازمان ملل</translation>
    </message>
    <message>
        <source>quoting it without their name</source>
        <translation>نقل آن بدون نام شاهد</translation>
    </message>
    <message>
        <source>the organisation&apos;s own investigators</source>
        <translation>پژوهشگران خود سازمان</translation>
    </message>
    <message>
        <source>What the package is for</source>
        <translation>این بسته برای چه کاری است</translation>
    </message>
    <message>
        <source>The witness did not consent to this use. Say why it is needed: the reason goes into the chain of custody.</source>
        <translation>شاهد با این کاربرد موافقت نکرده است. بنویسید چرا لازم است: این دلیل در زنجیرهٔ نگهداری ثبت می‌شود.</translation>
    </message>
    <message>
        <source>The reason</source>
        <translation>دلیل</translation>
    </message>
    <message>
        <source>The reason for a use the witness did not consent to</source>
        <translation>دلیل کاربردی که شاهد با آن موافقت نکرده است</translation>
    </message>
    <message>
        <source>New folder for the package</source>
        <translation>پوشهٔ تازه برای بسته</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>صدور</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>لغو</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Gavah desk</source>
        <translation>میز گواه</translation>
    </message>
    <message>
        <source>Gavah desk: %1, %2</source>
        <translation>میز گواه: %1، %2</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>قفل</translation>
    </message>
    <message>
        <source>Lock the desk: forget the key and close the case store</source>
        <translation>قفل کردن میز: کلید فراموش و انبار پرونده‌ها بسته می‌شود</translation>
    </message>
</context>
<context>
    <name>PreviewDialog</name>
    <message>
        <source>Page %1</source>
        <translation>صفحهٔ %1</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>پیش‌نمایش</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>بستن</translation>
    </message>
</context>
<context>
    <name>TestimonyPane</name>
    <message>
        <source>the organisation&apos;s own investigators</source>
        <translation>پژوهشگران خود سازمان</translation>
    </message>
    <message>
        <source>prosecutors and courts</source>
        <translation>دادستان‌ها و دادگاه‌ها</translation>
    </message>
    <message>
        <source>a UN commission of inquiry or mechanism</source>
        <translation>کمیسیون تحقیق یا سازوکار سازمان ملل</translation>
    </message>
    <message>
        <source>quoting it without their name</source>
        <translation>نقل آن بدون نام شاهد</translation>
    </message>
    <message>
        <source>being contacted again</source>
        <translation>تماس دوباره با شاهد</translation>
    </message>
    <message>
        <source>Choose a testimony in the list (arrow keys and Enter) to read it. It is opened in memory only.</source>
        <translation>برای خواندن، شهادتی را در فهرست برگزینید (کلیدهای جهت و Enter). فقط در حافظه باز می‌شود.</translation>
    </message>
    <message>
        <source>The witness allows: %1.</source>
        <translation>شاهد اجازه می‌دهد: %1.</translation>
    </message>
    <message>
        <source>, </source>
        <translation>، </translation>
    </message>
    <message>
        <source>The witness was not asked for consent: use it for the organisation&apos;s own review only.</source>
        <translation>از شاهد اجازه گرفته نشده است: فقط برای بررسی خود سازمان به کار ببرید.</translation>
    </message>
    <message>
        <source>Received %1</source>
        <translation>دریافت %1</translation>
    </message>
    <message>
        <source>language: %1</source>
        <translation>زبان: %1</translation>
    </message>
    <message>
        <source>when: %1</source>
        <translation>زمان: %1</translation>
    </message>
    <message>
        <source>where: %1</source>
        <translation>مکان: %1</translation>
    </message>
    <message>
        <source>The testimony</source>
        <translation>شهادت</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>پیوست‌ها</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>پیش‌نمایش</translation>
    </message>
    <message>
        <source>Preview %1 from memory</source>
        <translation>پیش‌نمایش %1 از حافظه</translation>
    </message>
    <message>
        <source>Notes and tags</source>
        <translation>یادداشت‌ها و برچسب‌ها</translation>
    </message>
    <message>
        <source>A note, or a tag</source>
        <translation>یک یادداشت یا یک برچسب</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>افزودن یادداشت</translation>
    </message>
    <message>
        <source>Add tag</source>
        <translation>افزودن برچسب</translation>
    </message>
    <message>
        <source>Reply to the witness</source>
        <translation>پاسخ به شاهد</translation>
    </message>
    <message>
        <source>Only the witness, with their codename, can read it</source>
        <translation>فقط شاهد، با رمزواژه‌اش، می‌تواند آن را بخواند</translation>
    </message>
    <message>
        <source>Send reply</source>
        <translation>فرستادن پاسخ</translation>
    </message>
    <message>
        <source>Chain of custody</source>
        <translation>زنجیرهٔ نگهداری</translation>
    </message>
    <message>
        <source>The colleague to release your share to</source>
        <translation>همکاری که سهم کلیدتان را به او می‌دهید</translation>
    </message>
    <message>
        <source>Release my share…</source>
        <translation>دادن سهم کلیدم…</translation>
    </message>
    <message>
        <source>Export evidence package…</source>
        <translation>صدور بستهٔ مدارک…</translation>
    </message>
    <message>
        <source>Mark for deletion…</source>
        <translation>نشان‌گذاری برای حذف…</translation>
    </message>
    <message>
        <source>Release your key share?</source>
        <translation>سهم کلیدتان را می‌دهید؟</translation>
    </message>
    <message>
        <source>Release</source>
        <translation>دادن سهم</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>لغو</translation>
    </message>
    <message>
        <source>Mark this testimony for deletion?</source>
        <translation>این شهادت برای حذف نشان‌گذاری شود؟</translation>
    </message>
    <message>
        <source>The server deletes it once the threshold of investigators agree. This cannot be undone. Testimony %1.</source>
        <translation>سرور وقتی به تعداد لازم پژوهشگر موافقت کنند آن را حذف می‌کند. این کار بازگشت‌پذیر نیست. شهادت %1.</translation>
    </message>
    <message>
        <source>Mark for deletion</source>
        <translation>نشان‌گذاری برای حذف</translation>
    </message>
</context>
<context>
    <name>UnlockPage</name>
    <message>
        <source>Unlock the desk</source>
        <translation>باز کردن قفل میز</translation>
    </message>
    <message>
        <source>Your key and your case store stay locked until you unlock them here. The desk locks itself again after %1 minutes without use, and when you press Lock.</source>
        <translation>کلید و انبار پرونده‌هایتان تا وقتی اینجا قفلشان را باز نکنید قفل می‌مانند. میز پس از %1 دقیقه بی‌کاری، و هر وقت «قفل» را بزنید، دوباره قفل می‌شود.</translation>
    </message>
    <message>
        <source>Your investigator key file</source>
        <translation>پروندهٔ کلید پژوهشگر شما</translation>
    </message>
    <message>
        <source>Your case store</source>
        <translation>انبار پرونده‌های شما</translation>
    </message>
    <message>
        <source>Passphrase of the key</source>
        <translation>گذرواژهٔ کلید</translation>
    </message>
    <message>
        <source>The case store has the same passphrase</source>
        <translation>انبار پرونده‌ها همان گذرواژه را دارد</translation>
    </message>
    <message>
        <source>Passphrase of the case store</source>
        <translation>گذرواژهٔ انبار پرونده‌ها</translation>
    </message>
    <message>
        <source>The organisation&apos;s bundle (only before the store&apos;s first sync, or to use a newer one)</source>
        <translation>بستهٔ سازمان (فقط پیش از نخستین همگام‌سازی انبار، یا برای به کار بردن بسته‌ای تازه‌تر)</translation>
    </message>
    <message>
        <source>The organisation&apos;s bundle</source>
        <translation>بستهٔ سازمان</translation>
    </message>
    <message>
        <source>The key did not unlock: check the file and its passphrase.</source>
        <translation>قفل کلید باز نشد: پرونده و گذرواژه‌اش را بررسی کنید.</translation>
    </message>
    <message>
        <source>The case store did not open: check the file and its passphrase.</source>
        <translation>انبار پرونده‌ها باز نشد: پرونده و گذرواژه‌اش را بررسی کنید.</translation>
    </message>
    <message>
        <source>The bundle cannot be used with this store.</source>
        <translation>این بسته را نمی‌توان با این انبار به کار برد.</translation>
    </message>
    <message>
        <source>Unlocking…</source>
        <translation>در حال باز کردن قفل…</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>باز کردن قفل</translation>
    </message>
    <message>
        <source>Unlock the key and the case store</source>
        <translation>باز کردن قفل کلید و انبار پرونده‌ها</translation>
    </message>
</context>
<context>
    <name>VerifyDialog</name>
    <message>
        <source>Verify an evidence package</source>
        <translation>بررسی بستهٔ مدارک</translation>
    </message>
    <message>
        <source>The package&apos;s folder</source>
        <translation>پوشهٔ بسته</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>بررسی</translation>
    </message>
    <message>
        <source>Verified.</source>
        <translation>تأیید شد.</translation>
    </message>
    <message>
        <source>NOT verified:</source>
        <translation>تأیید نشد:</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>بستن</translation>
    </message>
</context>
<context>
    <name>gavah::app::Desk</name>
    <message>
        <source>Synced: %1 new testimonies, %2 shares from colleagues; the server&apos;s log of %3 entries checks out.</source>
        <translation>همگام شد: %1 شهادت تازه، %2 سهم از همکاران؛ دفتر عمومی سرور با %3 مدخل درست است.</translation>
    </message>
    <message>
        <source>%1 arrived tampered and were not kept.</source>
        <translation>%1 شهادت دست‌کاری‌شده رسید و نگه داشته نشد.</translation>
    </message>
    <message>
        <source>THE SERVER WITHHOLDS %1 testimonies (see the warnings).</source>
        <translation>سرور %1 شهادت را پنهان می‌کند (هشدارها را ببینید).</translation>
    </message>
    <message>
        <source>Sync stopped; what arrived is kept.</source>
        <translation>همگام‌سازی متوقف شد؛ آنچه رسیده بود نگه داشته شد.</translation>
    </message>
    <message>
        <source>Sync failed: %1</source>
        <translation>همگام‌سازی ناموفق بود: %1</translation>
    </message>
    <message>
        <source>Opened %1 testimonies; %2 were open already; %3 need more shares.</source>
        <translation>%1 شهادت باز شد؛ %2 از پیش باز بود؛ %3 به سهم‌های بیشتری نیاز دارد.</translation>
    </message>
    <message>
        <source>%1 would not open (see the warnings).</source>
        <translation>%1 شهادت باز نشد (هشدارها را ببینید).</translation>
    </message>
    <message>
        <source>Stopped; what was opened is kept.</source>
        <translation>متوقف شد؛ آنچه باز شده بود نگه داشته شد.</translation>
    </message>
    <message>
        <source>Opening failed: %1</source>
        <translation>باز کردن ناموفق بود: %1</translation>
    </message>
    <message>
        <source>needs one more share: ask %1</source>
        <translation>یک سهم دیگر لازم است: از %1 بخواهید</translation>
    </message>
    <message>
        <source>needs %1 more shares: ask %2</source>
        <translation>%1 سهم دیگر لازم است: از %2 بخواهید</translation>
    </message>
    <message>
        <source>This testimony did not match its id when it was synced: it was tampered with on the way, and it is not opened.</source>
        <translation>این شهادت هنگام همگام‌سازی با شناسه‌اش جور نبود: در راه دست‌کاری شده است و باز نمی‌شود.</translation>
    </message>
    <message>
        <source>This testimony needs more key shares than you hold. Ask a colleague to release theirs, then sync.</source>
        <translation>این شهادت به سهم‌های کلید بیشتری از آنچه دارید نیاز دارد. از همکاری بخواهید سهمش را بدهد، سپس همگام‌سازی کنید.</translation>
    </message>
    <message>
        <source>Too large to preview from memory: export the testimony to see it.</source>
        <translation>برای پیش‌نمایش از حافظه بسیار بزرگ است: برای دیدنش شهادت را صادر کنید.</translation>
    </message>
    <message>
        <source>This file could not be previewed: export the testimony to see it.</source>
        <translation>پیش‌نمایش این پرونده ممکن نشد: برای دیدنش شهادت را صادر کنید.</translation>
    </message>
    <message>
        <source>This kind of file is not previewed: export the testimony to see it.</source>
        <translation>از این نوع پرونده پیش‌نمایش ساخته نمی‌شود: برای دیدنش شهادت را صادر کنید.</translation>
    </message>
    <message>
        <source>Note kept.</source>
        <translation>یادداشت نگه داشته شد.</translation>
    </message>
    <message>
        <source>Tag added.</source>
        <translation>برچسب افزوده شد.</translation>
    </message>
    <message>
        <source>Release your key share of testimony %1 (received %2) to %3, fingerprint %4? With it and their own share, %3 can read this testimony.</source>
        <translation>سهم کلیدتان از شهادت %1 (دریافت %2) را به %3 با اثر انگشت %4 می‌دهید؟ %3 با این سهم و سهم خودش می‌تواند این شهادت را بخواند.</translation>
    </message>
    <message>
        <source>Your share was released to %1.</source>
        <translation>سهم شما به %1 داده شد.</translation>
    </message>
    <message>
        <source>Reply left in the witness&apos;s mailbox.</source>
        <translation>پاسخ در صندوق شاهد گذاشته شد.</translation>
    </message>
    <message>
        <source>Marked for deletion: the server deleted it.</source>
        <translation>برای حذف نشان‌گذاری شد: سرور آن را حذف کرد.</translation>
    </message>
    <message>
        <source>Marked for deletion: %1 of %2 investigators agree.</source>
        <translation>برای حذف نشان‌گذاری شد: %1 از %2 پژوهشگر موافق‌اند.</translation>
    </message>
    <message>
        <source>Evidence package written to %1.</source>
        <translation>بستهٔ مدارک در %1 نوشته شد.</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>صدور ناموفق بود: %1</translation>
    </message>
    <message>
        <source>Testimony %1 is exactly what was sealed in its envelope.</source>
        <translation>شهادت %1 دقیقاً همان است که در پاکتش مهر و موم شد.</translation>
    </message>
    <message>
        <source>The server&apos;s log holds it as entry %1, received in the hour from %2.</source>
        <translation>دفتر عمومی سرور آن را به‌عنوان مدخل %1 دارد، دریافت‌شده در ساعتی که از %2 آغاز شد.</translation>
    </message>
    <message>
        <source>The server promised to log it by %1.</source>
        <translation>سرور قول داده است آن را تا %1 در دفترش ثبت کند.</translation>
    </message>
    <message>
        <source>Exported by %1 (%2) on %3, an investigator of %4.</source>
        <translation>صادرشده به دست %1 (%2) در %3، پژوهشگر %4.</translation>
    </message>
</context>
</TS>
