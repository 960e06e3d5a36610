<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB">
<context>
    <name>DeskPage</name>
    <message>
        <source>new</source>
        <translation>new</translation>
    </message>
    <message>
        <source>opened</source>
        <translation>opened</translation>
    </message>
    <message>
        <source>annotated</source>
        <translation>annotated</translation>
    </message>
    <message>
        <source>replied</source>
        <translation>replied</translation>
    </message>
    <message>
        <source>exported</source>
        <translation>exported</translation>
    </message>
    <message>
        <source>TAMPERED</source>
        <translation>TAMPERED</translation>
    </message>
    <message>
        <source>WITHHELD by the server</source>
        <translation>WITHHELD by the server</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>deleted</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>Sync: fetch new testimony and colleagues&apos; shares from the server (F5)</source>
        <translation>Sync: fetch new testimony and colleagues&apos; shares from the server (F5)</translation>
    </message>
    <message>
        <source>Open everything</source>
        <translation>Open everything</translation>
    </message>
    <message>
        <source>Open every testimony you can and make it searchable</source>
        <translation>Open every testimony you can and make it searchable</translation>
    </message>
    <message>
        <source>Verify a package…</source>
        <translation>Verify a package…</translation>
    </message>
    <message>
        <source>Verify an evidence package someone sent</source>
        <translation>Verify an evidence package someone sent</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progress</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 of %2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Search the testimonies opened so far (Ctrl+F)</source>
        <translation>Search the testimonies opened so far (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search the testimonies opened so far</source>
        <translation>Search the testimonies opened so far</translation>
    </message>
    <message>
        <source>Show testimonies in this state</source>
        <translation>Show testimonies in this state</translation>
    </message>
    <message>
        <source>Any state</source>
        <translation>Any state</translation>
    </message>
    <message>
        <source>Show testimonies with this tag</source>
        <translation>Show testimonies with this tag</translation>
    </message>
    <message>
        <source>Any tag</source>
        <translation>Any tag</translation>
    </message>
    <message>
        <source>Received from</source>
        <translation>Received from</translation>
    </message>
    <message>
        <source>Received from (YYYY-MM-DD)</source>
        <translation>Received from (YYYY-MM-DD)</translation>
    </message>
    <message>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>Received until (YYYY-MM-DD)</source>
        <translation>Received until (YYYY-MM-DD)</translation>
    </message>
    <message>
        <source>%1 of %2 testimonies</source>
        <translation>%1 of %2 testimonies</translation>
    </message>
    <message>
        <source>Testimonies</source>
        <translation>Testimonies</translation>
    </message>
    <message>
        <source>Testimony %1, %2, received %3</source>
        <translation>Testimony %1, %2, received %3</translation>
    </message>
    <message>
        <source>%1 attachment(s)</source>
        <translation>%1 attachment(s)</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export an evidence package</source>
        <translation>Export an evidence package</translation>
    </message>
    <message>
        <source>What is it for?</source>
        <translation>What is it for?</translation>
    </message>
    <message>
        <source>prosecutors and courts</source>
        <translation>prosecutors and courts</translation>
    </message>
    <message>
        <source>a UN commission of inquiry or mechanism</source>
        <translation>a UN commission of inquiry or mechanism</translation>
    </message>
    <message>
        <source>quoting it without their name</source>
        <translation>quoting it without their name</translation>
    </message>
    <message>
        <source>the organisation&apos;s own investigators</source>
        <translation>the organisation&apos;s own investigators</translation>
    </message>
    <message>
        <source>What the package is for</source>
        <translation>What the package is for</translation>
    </message>
    <message>
        <source>The witness did not consent to this use. Say why it is needed: the reason goes into the chain of custody.</source>
        <translation>The witness did not consent to this use. Say why it is needed: the reason goes into the chain of custody.</translation>
    </message>
    <message>
        <source>The reason</source>
        <translation>The reason</translation>
    </message>
    <message>
        <source>The reason for a use the witness did not consent to</source>
        <translation>The reason for a use the witness did not consent to</translation>
    </message>
    <message>
        <source>New folder for the package</source>
        <translation>New folder for the package</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Gavah desk</source>
        <translation>Gavah desk</translation>
    </message>
    <message>
        <source>Gavah desk: %1, %2</source>
        <translation>Gavah desk: %1, %2</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>Lock</translation>
    </message>
    <message>
        <source>Lock the desk: forget the key and close the case store</source>
        <translation>Lock the desk: forget the key and close the case store</translation>
    </message>
</context>
<context>
    <name>PreviewDialog</name>
    <message>
        <source>Page %1</source>
        <translation>Page %1</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Preview</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>TestimonyPane</name>
    <message>
        <source>the organisation&apos;s own investigators</source>
        <translation>the organisation&apos;s own investigators</translation>
    </message>
    <message>
        <source>prosecutors and courts</source>
        <translation>prosecutors and courts</translation>
    </message>
    <message>
        <source>a UN commission of inquiry or mechanism</source>
        <translation>a UN commission of inquiry or mechanism</translation>
    </message>
    <message>
        <source>quoting it without their name</source>
        <translation>quoting it without their name</translation>
    </message>
    <message>
        <source>being contacted again</source>
        <translation>being contacted again</translation>
    </message>
    <message>
        <source>Choose a testimony in the list (arrow keys and Enter) to read it. It is opened in memory only.</source>
        <translation>Choose a testimony in the list (arrow keys and Enter) to read it. It is opened in memory only.</translation>
    </message>
    <message>
        <source>The witness allows: %1.</source>
        <translation>The witness allows: %1.</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>The witness was not asked for consent: use it for the organisation&apos;s own review only.</source>
        <translation>The witness was not asked for consent: use it for the organisation&apos;s own review only.</translation>
    </message>
    <message>
        <source>Received %1</source>
        <translation>Received %1</translation>
    </message>
    <message>
        <source>language: %1</source>
        <translation>language: %1</translation>
    </message>
    <message>
        <source>when: %1</source>
        <translation>when: %1</translation>
    </message>
    <message>
        <source>where: %1</source>
        <translation>where: %1</translation>
    </message>
    <message>
        <source>The testimony</source>
        <translation>The testimony</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Preview</translation>
    </message>
    <message>
        <source>Preview %1 from memory</source>
        <translation>Preview %1 from memory</translation>
    </message>
    <message>
        <source>Notes and tags</source>
        <translation>Notes and tags</translation>
    </message>
    <message>
        <source>A note, or a tag</source>
        <translation>A note, or a tag</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>Add note</translation>
    </message>
    <message>
        <source>Add tag</source>
        <translation>Add tag</translation>
    </message>
    <message>
        <source>Reply to the witness</source>
        <translation>Reply to the witness</translation>
    </message>
    <message>
        <source>Only the witness, with their codename, can read it</source>
        <translation>Only the witness, with their codename, can read it</translation>
    </message>
    <message>
        <source>Send reply</source>
        <translation>Send reply</translation>
    </message>
    <message>
        <source>Chain of custody</source>
        <translation>Chain of custody</translation>
    </message>
    <message>
        <source>The colleague to release your share to</source>
        <translation>The colleague to release your share to</translation>
    </message>
    <message>
        <source>Release my share…</source>
        <translation>Release my share…</translation>
    </message>
    <message>
        <source>Export evidence package…</source>
        <translation>Export evidence package…</translation>
    </message>
    <message>
        <source>Mark for deletion…</source>
        <translation>Mark for deletion…</translation>
    </message>
    <message>
        <source>Release your key share?</source>
        <translation>Release your key share?</translation>
    </message>
    <message>
        <source>Release</source>
        <translation>Release</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Mark this testimony for deletion?</source>
        <translation>Mark this testimony for deletion?</translation>
    </message>
    <message>
        <source>The server deletes it once the threshold of investigators agree. This cannot be undone. Testimony %1.</source>
        <translation>The server deletes it once the threshold of investigators agree. This cannot be undone. Testimony %1.</translation>
    </message>
    <message>
        <source>Mark for deletion</source>
        <translation>Mark for deletion</translation>
    </message>
</context>
<context>
    <name>UnlockPage</name>
    <message>
        <source>Unlock the desk</source>
        <translation>Unlock the desk</translation>
    </message>
    <message>
        <source>Your key and your case store stay locked until you unlock them here. The desk locks itself again after %1 minutes without use, and when you press Lock.</source>
        <translation>Your key and your case store stay locked until you unlock them here. The desk locks itself again after %1 minutes without use, and when you press Lock.</translation>
    </message>
    <message>
        <source>Your investigator key file</source>
        <translation>Your investigator key file</translation>
    </message>
    <message>
        <source>Your case store</source>
        <translation>Your case store</translation>
    </message>
    <message>
        <source>Passphrase of the key</source>
        <translation>Passphrase of the key</translation>
    </message>
    <message>
        <source>The case store has the same passphrase</source>
        <translation>The case store has the same passphrase</translation>
    </message>
    <message>
        <source>Passphrase of the case store</source>
        <translation>Passphrase of the case store</translation>
    </message>
    <message>
        <source>The organisation&apos;s bundle (only before the store&apos;s first sync, or to use a newer one)</source>
        <translation>The organisation&apos;s bundle (only before the store&apos;s first sync, or to use a newer one)</translation>
    </message>
    <message>
        <source>The organisation&apos;s bundle</source>
        <translation>The organisation&apos;s bundle</translation>
    </message>
    <message>
        <source>The key did not unlock: check the file and its passphrase.</source>
        <translation>The key did not unlock: check the file and its passphrase.</translation>
    </message>
    <message>
        <source>The case store did not open: check the file and its passphrase.</source>
        <translation>The case store did not open: check the file and its passphrase.</translation>
    </message>
    <message>
        <source>The bundle cannot be used with this store.</source>
        <translation>The bundle cannot be used with this store.</translation>
    </message>
    <message>
        <source>Unlocking…</source>
        <translation>Unlocking…</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>Unlock the key and the case store</source>
        <translation>Unlock the key and the case store</translation>
    </message>
</context>
<context>
    <name>VerifyDialog</name>
    <message>
        <source>Verify an evidence package</source>
        <translation>Verify an evidence package</translation>
    </message>
    <message>
        <source>The package&apos;s folder</source>
        <translation>The package&apos;s folder</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>Verify</translation>
    </message>
    <message>
        <source>Verified.</source>
        <translation>Verified.</translation>
    </message>
    <message>
        <source>NOT verified:</source>
        <translation>NOT verified:</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>gavah::app::Desk</name>
    <message>
        <source>Synced: %1 new testimonies, %2 shares from colleagues; the server&apos;s log of %3 entries checks out.</source>
        <translation>Synced: %1 new testimonies, %2 shares from colleagues; the server&apos;s log of %3 entries checks out.</translation>
    </message>
    <message>
        <source>%1 arrived tampered and were not kept.</source>
        <translation>%1 arrived tampered and were not kept.</translation>
    </message>
    <message>
        <source>THE SERVER WITHHOLDS %1 testimonies (see the warnings).</source>
        <translation>THE SERVER WITHHOLDS %1 testimonies (see the warnings).</translation>
    </message>
    <message>
        <source>Sync stopped; what arrived is kept.</source>
        <translation>Sync stopped; what arrived is kept.</translation>
    </message>
    <message>
        <source>Sync failed: %1</source>
        <translation>Sync failed: %1</translation>
    </message>
    <message>
        <source>Opened %1 testimonies; %2 were open already; %3 need more shares.</source>
        <translation>Opened %1 testimonies; %2 were open already; %3 need more shares.</translation>
    </message>
    <message>
        <source>%1 would not open (see the warnings).</source>
        <translation>%1 would not open (see the warnings).</translation>
    </message>
    <message>
        <source>Stopped; what was opened is kept.</source>
        <translation>Stopped; what was opened is kept.</translation>
    </message>
    <message>
        <source>Opening failed: %1</source>
        <translation>Opening failed: %1</translation>
    </message>
    <message>
        <source>needs one more share: ask %1</source>
        <translation>needs one more share: ask %1</translation>
    </message>
    <message>
        <source>needs %1 more shares: ask %2</source>
        <translation>needs %1 more shares: ask %2</translation>
    </message>
    <message>
        <source>This testimony did not match its id when it was synced: it was tampered with on the way, and it is not opened.</source>
        <translation>This testimony did not match its id when it was synced: it was tampered with on the way, and it is not opened.</translation>
    </message>
    <message>
        <source>This testimony needs more key shares than you hold. Ask a colleague to release theirs, then sync.</source>
        <translation>This testimony needs more key shares than you hold. Ask a colleague to release theirs, then sync.</translation>
    </message>
    <message>
        <source>Too large to preview from memory: export the testimony to see it.</source>
        <translation>Too large to preview from memory: export the testimony to see it.</translation>
    </message>
    <message>
        <source>This file could not be previewed: export the testimony to see it.</source>
        <translation>This file could not be previewed: export the testimony to see it.</translation>
    </message>
    <message>
        <source>This kind of file is not previewed: export the testimony to see it.</source>
        <translation>This kind of file is not previewed: export the testimony to see it.</translation>
    </message>
    <message>
        <source>Note kept.</source>
        <translation>Note kept.</translation>
    </message>
    <message>
        <source>Tag added.</source>
        <translation>Tag added.</translation>
    </message>
    <message>
        <source>Release your key share of testimony %1 (received %2) to %3, fingerprint %4? With it and their own share, %3 can read this testimony.</source>
        <translation>Release your key share of testimony %1 (received %2) to %3, fingerprint %4? With it and their own share, %3 can read this testimony.</translation>
    </message>
    <message>
        <source>Your share was released to %1.</source>
        <translation>Your share was released to %1.</translation>
    </message>
    <message>
        <source>Reply left in the witness&apos;s mailbox.</source>
        <translation>Reply left in the witness&apos;s mailbox.</translation>
    </message>
    <message>
        <source>Marked for deletion: the server deleted it.</source>
        <translation>Marked for deletion: the server deleted it.</translation>
    </message>
    <message>
        <source>Marked for deletion: %1 of %2 investigators agree.</source>
        <translation>Marked for deletion: %1 of %2 investigators agree.</translation>
    </message>
    <message>
        <source>Evidence package written to %1.</source>
        <translation>Evidence package written to %1.</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>Export failed: %1</translation>
    </message>
    <message>
        <source>Testimony %1 is exactly what was sealed in its envelope.</source>
        <translation>Testimony %1 is exactly what was sealed in its envelope.</translation>
    </message>
    <message>
        <source>The server&apos;s log holds it as entry %1, received in the hour from %2.</source>
        <translation>The server&apos;s log holds it as entry %1, received in the hour from %2.</translation>
    </message>
    <message>
        <source>The server promised to log it by %1.</source>
        <translation>The server promised to log it by %1.</translation>
    </message>
    <message>
        <source>Exported by %1 (%2) on %3, an investigator of %4.</source>
        <translation>Exported by %1 (%2) on %3, an investigator of %4.</translation>
    </message>
</context>
</TS>
