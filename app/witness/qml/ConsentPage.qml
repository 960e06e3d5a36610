import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Step 5: what the witness allows. Sealed with the testimony: only the investigators read it, and
// it travels with any evidence package made from it.
Page {
    id: page
    objectName: "consentPage"
    property var app
    function has(token) { return page.app.consent.indexOf(token) >= 0 }
    function set(token, on) {
        var c = page.app.consent.filter(function (t) { return t !== token })
        if (on) c.push(token)
        page.app.consent = c
    }
    ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: parent.width - 40
            x: 20
            spacing: 8
            Item { height: 8 }
            Heading { text: qsTr("5. What you allow") }
            Para { text: qsTr("Your testimony is yours. Say what may be done with it. Only the organisation's investigators will see your answers, and they go with your testimony wherever it is used.") }
            CheckBox {
                objectName: "consentInvestigators"
                Layout.fillWidth: true
                checked: true
                enabled: false
                text: qsTr("The organisation's investigators may read and study it (always, when you send it)")
                Accessible.name: text
            }
            CheckBox {
                objectName: "consentUn"
                Layout.fillWidth: true
                text: qsTr("It may be shared with a United Nations commission of inquiry or investigative mechanism")
                checked: page.has("un-mechanism")
                onToggled: page.set("un-mechanism", checked)
                Accessible.name: text
            }
            CheckBox {
                objectName: "consentCourts"
                Layout.fillWidth: true
                text: qsTr("It may be given to prosecutors and courts")
                checked: page.has("prosecutors-courts")
                onToggled: page.set("prosecutors-courts", checked)
                Accessible.name: text
            }
            CheckBox {
                objectName: "consentQuote"
                Layout.fillWidth: true
                text: qsTr("It may be quoted in public reports, without my name")
                checked: page.has("quote-anonymously")
                onToggled: page.set("quote-anonymously", checked)
                Accessible.name: text
            }
            CheckBox {
                objectName: "consentContact"
                Layout.fillWidth: true
                text: qsTr("The organisation may contact me again through replies")
                enabled: session.hasCodename
                checked: session.hasCodename && page.has("contact-again")
                onToggled: page.set("contact-again", checked)
                Accessible.name: text
            }
            Para {
                visible: !session.hasCodename
                opacity: 0.7
                text: qsTr("Being contacted again needs a codename (step 4).")
            }
            Para { text: qsTr("Anything you do not tick is not allowed. If you are unsure, leave it unticked: the organisation can ask you later if you made a codename.") }
            NavRow {
                onBack: page.app.back()
                onNext: page.app.go("SendPage")
            }
        }
    }
}
